// i18n (issue #18): the matcher that rewords sudo's messages in French
// (checks/sudoers/visudo_messages.cpp) reads messages whose values come from
// the audited sudoers files (Defaults names and values, paths). Any text: no
// crash, English unchanged, and in French nothing of a value lost (each
// value the English held appears in the French).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "i18n.hpp"
#include "sudoers/visudo_messages.hpp"
#include "system_error_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit;
  static const bool french = [] {
    ::setenv("CLINIC_AUDIT_LOCALEDIR", CA_TEST_BINARY_DIR "/locale", 1);
    return !i18n::set_language(i18n::Language::fr).has_value();
  }();
  if (!french) __builtin_trap();  // the catalog must be built (target translations)
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string out = sudoers::visudo_message_text(text);
  // "value \"X\" is invalid for option \"Y\"", X and Y without quotes: both
  // survive as written (even an X that reads as an errno text). Only text
  // of exactly that form: a text merely starting with `value "` may match
  // another message, whose translated wording then sits inside the span.
  const std::string prefix = "value \"", middle = "\" is invalid for option \"";
  const auto x_end = text.find('"', prefix.size());
  if (text.starts_with(prefix) && x_end != std::string::npos && text.compare(x_end, middle.size(), middle) == 0 &&
      text.size() > x_end + middle.size() && text.back() == '"' &&
      text.find('"', x_end + middle.size()) == text.size() - 1) {
    const std::string x = text.substr(prefix.size(), x_end - prefix.size());
    const std::string y = text.substr(x_end + middle.size(), text.size() - 1 - x_end - middle.size());
    if (out == text || out.find(x) == std::string::npos || out.find(y) == std::string::npos) __builtin_trap();
  }
  sudoers::SyntaxError error{"/etc/sudoers", 1, text, 2, {}};
  (void)sudoers::visudo_describe(error);
  std::uint32_t value = 0;  // three bytes: no overflow
  for (std::size_t i = 0; i < size && i < 3; ++i) value = value * 256 + data[i];
  (void)i18n::error_text(static_cast<int>(value) - (1 << 20));
  (void)i18n::gai_error_text(-static_cast<int>(value % 300));
  return 0;
}
