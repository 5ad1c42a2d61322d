// libFuzzer target for the Firefox preference-file parser and its autoconfig
// mode (checks/browser/firefox_prefs.cpp): any bytes, no crash or hang; an
// error and every pref point at a line that exists.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "browser/firefox_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinic_audit::browser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  int lines = 1;
  for (char c : text) lines += c == '\n';
  Prefs prefs;
  try {
    apply_pref_file(text, "/etc/firefox-esr/f.js", prefs);
  } catch (const PrefError& e) {
    if (e.line() < 1 || e.line() > lines) std::abort();
  }
  for (const auto& [name, pref] : prefs) {
    if (pref.line < 1 || pref.line > lines) std::abort();
  }
  // The same bytes as an autoconfig .cfg (de-obscured, first line blanked):
  // lines must still be the file's.
  if (size > 0) {
    // general.config.obscure_value: 13 (the default), 0, or any byte, negative ones too (no shift).
    const long shift = data[0] % 4 == 1 ? 13 : data[0] % 4 == 2 ? static_cast<long>(data[0]) - 128 : 0;
    const bool obscured = shift > 0;
    const std::string body = autoconfig_body(text, shift);
    int body_lines = 1;
    for (char c : body) body_lines += c == '\n';
    if (!obscured && body_lines != lines) std::abort();
    Prefs cfg_prefs = prefs;
    try {
      apply_pref_file(body, "/usr/lib/firefox-esr/f.cfg", cfg_prefs, PrefSyntax::autoconfig);
    } catch (const PrefError& e) {
      if (e.line() < 1 || e.line() > body_lines) std::abort();
    }
    for (const auto& [name, pref] : cfg_prefs) {
      if (pref.line < 1 || pref.line > std::max(lines, body_lines)) std::abort();
    }
    // general.config.vendor against general.config.filename, as both files set them.
    FirefoxConfig after;
    after.prefs = cfg_prefs;
    check_autoconfig_vendor(after);
    if (after.problems.size() > 1) std::abort();
  }
  FirefoxConfig config;
  config.prefs = prefs;
  (void)judge_firefox_config(config, {"https://ekermed.telesantebretagne.org"});
  return 0;
}
