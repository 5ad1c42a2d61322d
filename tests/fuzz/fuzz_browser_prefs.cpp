// libFuzzer target for the Firefox preference-file parser
// (checks/browser/firefox_prefs.cpp): any bytes, no crash or hang; an error
// and every pref point at a line that exists.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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
  FirefoxConfig config;
  config.prefs = prefs;
  (void)judge_firefox_config(config, {"https://ekermed.telesantebretagne.org"});
  return 0;
}
