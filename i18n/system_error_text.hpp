// The system's error texts in the agent's language (issue #18 item 1): one
// place where errno values, std::error_code / boost::system::error_code
// messages and std::filesystem_error texts become words in a message.
//
// English output is exactly what the C and C++ libraries print (strerror(3),
// error_code::message(), filesystem_error::what()); French comes from our
// own catalog po/fr.po (context "errno"; glibc's own libc.mo is neither
// needed nor used, as for every other message, i18n.hpp).
#pragma once

#include <exception>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace clinic_audit::i18n {

// strerror(errno_value) in English; its French in French ("Unknown error N"
// -> "Erreur inconnue N").
std::string error_text(int errno_value);

// gai_strerror(code) (getaddrinfo(3)'s EAI_* codes) in the current language.
std::string gai_error_text(int code);
// The EAI_* codes gai_error_text() translates (for the tests).
std::span<const int> gai_error_codes();

// The text of an error code: for the generic and system categories (errno
// values: std::generic_category(), std::system_category(), and boost's
// categories of the same names), error_text(value); else the category's own
// message(), unchanged.
std::string error_text(std::string_view category_name, int value, const std::string& message);
inline std::string error_text(const std::error_code& code) {
  return error_text(code.category().name(), code.value(), code.message());
}
// boost::system::error_code and anything else with category().name(),
// value() and message().
template <typename Code>
requires requires(const Code& c) {
  c.category().name();
  c.value();
  c.message();
}
std::string error_text(const Code& code) { return error_text(code.category().name(), code.value(), code.message()); }

// filesystem_error::what() ("filesystem error: cannot open directory: No
// such file or directory [/x]") with the operation and the errno text in
// French when French; what() itself in English.
std::string error_text(const std::filesystem::filesystem_error& error);

// e.what() of any exception, with the system's part translated when `e` is a
// std::filesystem::filesystem_error or a std::system_error of the generic or
// system category ("WHAT_ARG: strerror text").
std::string exception_text(const std::exception& error);

}  // namespace clinic_audit::i18n
