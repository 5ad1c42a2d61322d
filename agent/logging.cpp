#include "logging.hpp"

#include <unistd.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

#include <syslog.h>

#include "common/shell_quote.hpp"

namespace clinic_audit {
namespace {

// %* : the message with terminal controls and invalid UTF-8 made visible
// (escape_control): a file name holding ESC or a newline, logged, must
// neither drive the terminal nor forge a log line (issue #20 item 1).
class EscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/, spdlog::memory_buf_t& dest) override {
    const std::string text = escape_control(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

std::unique_ptr<spdlog::formatter> escaping_formatter(const std::string& pattern, const std::string& eol) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::local, eol);
  formatter->add_flag<EscapedMessage>('*').set_pattern(pattern);
  return formatter;
}

}  // namespace

void setup_logging(Verbosity verbosity, bool color) {
  const auto level = verbosity == Verbosity::verbose ? spdlog::level::debug
                     : verbosity == Verbosity::quiet ? spdlog::level::warn
                                                     : spdlog::level::info;
  std::vector<spdlog::sink_ptr> sinks;
  if (::isatty(STDERR_FILENO) != 0) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(color ? spdlog::color_mode::always
                                                                               : spdlog::color_mode::never);
    console->set_formatter(escaping_formatter("%^%l%$: %*", "\n"));
    console->set_level(level);
    sinks.push_back(console);
  } else {
    auto console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    console->set_formatter(escaping_formatter("clinic-audit: %l: %*", "\n"));
    console->set_level(verbosity == Verbosity::verbose ? spdlog::level::debug : spdlog::level::warn);
    sinks.push_back(console);
    // Formatting enabled (the sink passes the raw message otherwise), with
    // the escaped message alone: syslog adds its own time, level and tag.
    auto syslog = std::make_shared<spdlog::sinks::syslog_sink_mt>("clinic-audit", LOG_PID, LOG_DAEMON, true);
    syslog->set_formatter(escaping_formatter("%*", ""));
    syslog->set_level(level);
    sinks.push_back(syslog);
  }
  auto logger = std::make_shared<spdlog::logger>("clinic-audit", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

}  // namespace clinic_audit
