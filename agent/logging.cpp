#include "logging.hpp"

#include <unistd.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

#include <syslog.h>

namespace clinic_audit {

void setup_logging(Verbosity verbosity, bool color) {
  const auto level = verbosity == Verbosity::verbose ? spdlog::level::debug
                     : verbosity == Verbosity::quiet ? spdlog::level::warn
                                                     : spdlog::level::info;
  std::vector<spdlog::sink_ptr> sinks;
  if (::isatty(STDERR_FILENO) != 0) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(color ? spdlog::color_mode::always
                                                                               : spdlog::color_mode::never);
    console->set_pattern("%^%l%$: %v");
    console->set_level(level);
    sinks.push_back(console);
  } else {
    auto console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    console->set_pattern("clinic-audit: %l: %v");
    console->set_level(verbosity == Verbosity::verbose ? spdlog::level::debug : spdlog::level::warn);
    sinks.push_back(console);
    auto syslog = std::make_shared<spdlog::sinks::syslog_sink_mt>("clinic-audit", LOG_PID, LOG_DAEMON, false);
    syslog->set_level(level);
    sinks.push_back(syslog);
  }
  auto logger = std::make_shared<spdlog::logger>("clinic-audit", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

}  // namespace clinic_audit
