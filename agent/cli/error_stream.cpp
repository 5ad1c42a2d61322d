#include "error_stream.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <streambuf>

namespace clinic_audit {
namespace {

class FilterBuf final : public std::streambuf {
 public:
  FilterBuf(std::streambuf* target, bool to_syslog, bool is_root)
      : target_(target), to_syslog_(to_syslog), is_root_(is_root) {}

 protected:
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    const char c = traits_type::to_char_type(ch);
    if (c == '\n') {
      end_line();
    } else {
      line_ += c;
    }
    return ch;
  }

  // std::cerr is unit-buffered: the text so far goes out now; the hint and
  // the syslog copy wait for the end of the line.
  int sync() override {
    forward();
    return target_->pubsync();
  }

 private:
  void forward() {
    if (written_ < line_.size()) {
      target_->sputn(line_.data() + written_, static_cast<std::streamsize>(line_.size() - written_));
      written_ = line_.size();
    }
  }

  void end_line() {
    forward();
    const std::string hint = permission_hint(line_, is_root_);
    if (!hint.empty()) target_->sputn(hint.data(), static_cast<std::streamsize>(hint.size()));
    target_->sputc('\n');
    if (to_syslog_ && !line_.empty()) ::syslog(LOG_ERR, "%s%s", line_.c_str(), hint.c_str());
    line_.clear();
    written_ = 0;
  }

  std::streambuf* target_;
  bool to_syslog_;
  bool is_root_;
  std::string line_;
  std::size_t written_ = 0;
};

}  // namespace

std::string permission_hint(std::string_view line, bool is_root) {
  if (is_root) return "";
  if (line.find("as root") != std::string_view::npos) return "";
  if (line.find(_("as root")) != std::string_view::npos) return "";
  // The errno texts in the language of the message (i18n::error_text).
  if (line.find("Permission denied") == std::string_view::npos &&
      line.find("permission denied") == std::string_view::npos &&
      line.find("Operation not permitted") == std::string_view::npos &&
      line.find(i18n::error_text(EACCES)) == std::string_view::npos &&
      line.find(i18n::error_text(EPERM)) == std::string_view::npos) {
    return "";
  }
  return std::string(" ") + _("(run clinic-audit as root)");
}

void install_stderr_filter() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  const bool to_syslog = ::isatty(STDERR_FILENO) == 0;
  if (to_syslog) ::openlog("clinic-audit", LOG_PID, LOG_DAEMON);
  // Lives as long as the process: main() still writes through std::cerr after run_cli().
  static FilterBuf filter(std::cerr.rdbuf(), to_syslog, ::geteuid() == 0);
  std::cerr.rdbuf(&filter);
}

}  // namespace clinic_audit
