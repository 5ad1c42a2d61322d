// libFuzzer target for the browsers' JSON reader (checks/browser/lenient_json):
// both dialects (Chromium's policy files: comments, trailing commas; Firefox's
// strict policies.json) on any bytes: no crash, no hang, no deep recursion,
// every line it names exists; the parsed value judged as a Chromium policy
// file and as a Firefox Permissions object never crashes either.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "browser/chromium_policy.hpp"
#include "browser/chromium_remediation.hpp"
#include "browser/firefox_policy.hpp"
#include "browser/lenient_json.hpp"

namespace {

using clinic_audit::browser::JsonValue;

void check_lines(const JsonValue& v, int lines, int depth) {
  if (v.line < 1 || v.line > lines || depth > 250) std::abort();
  if (v.is_array())
    for (const auto& item : *v.array) check_lines(item, lines, depth + 1);
  if (v.is_object())
    for (const auto& [key, item] : *v.object) check_lines(item, lines, depth + 1);
}

bool has_real(const JsonValue& v) {
  if (v.kind == JsonValue::Kind::real) return true;
  if (v.is_array())
    for (const auto& item : *v.array)
      if (has_real(item)) return true;
  if (v.is_object())
    for (const auto& [key, item] : *v.object)
      if (has_real(item)) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinic_audit::browser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  int lines = 1;
  for (char c : text) lines += c == '\n';
  for (const auto dialect : {JsonDialect::chromium(), JsonDialect::strict()}) {
    try {
      const JsonValue v = parse_json(text, dialect);
      check_lines(v, lines, 0);
      (void)v.brief();
      if (v.is_object()) {
        ChromiumPolicies policies;
        for (const auto& [name, value] : *v.object) policies.values[name] = {value, "/f.json", value.line, true};
        (void)judge_chromium_policies(policies, {"https://ekermed.telesantebretagne.org"});
        // The remediation file (chromium_remediation.hpp): Chromium's JSON, and
        // once applied (read last, so its keys win) nothing is left to fix.
        if (const auto fix =
                chromium_fix("/etc/chromium/policies", policies, {"https://ekermed.telesantebretagne.org"})) {
          JsonValue file;
          try {
            file = parse_json(fix->json, JsonDialect::strict());
          } catch (const JsonError&) {
            std::abort();
          }
          if (!file.is_object() || fix->command.find('\n') != std::string::npos) std::abort();
          for (const auto& [name, value] : *file.object) policies.values[name] = {value, "/fix.json", 1, true};
          if (chromium_fix("/etc/chromium/policies", policies, {"https://ekermed.telesantebretagne.org"})) std::abort();
        }
        FirefoxConfig firefox;
        firefox.policies_file = "/p.json";
        firefox.policies = v;
        (void)judge_firefox_config(firefox, {"https://ekermed.telesantebretagne.org"});
      }
    } catch (const JsonError& e) {
      if (e.line() < 1 || e.line() > lines) std::abort();
      continue;
    }
    // to_json() of any parsed value reads back (strict JSON) unless it holds a real
    // (std::to_string of a huge or tiny double is not always JSON).
    try {
      const JsonValue v = parse_json(text, dialect);
      const std::string out = to_json(v);
      if (!has_real(v)) (void)parse_json(out, JsonDialect::strict());
    } catch (const JsonError&) {
      std::abort();
    }
  }
  return 0;
}
