// libFuzzer target for the inventory parsers (checks/browser/inventory.cpp,
// dpkg_status.cpp, version.cpp): dpkg status, snap.yaml, snapd's state.json,
// application.ini, AppStream metainfo and version strings: any bytes, no
// crash or hang, lines that exist.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "browser/dpkg_status.hpp"
#include "browser/findings.hpp"
#include "browser/inventory.hpp"
#include "browser/lenient_json.hpp"
#include "browser/version.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinic_audit::browser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  int lines = 1;
  for (char c : text) lines += c == '\n';
  for (const auto& p : installed_packages(text)) {
    if (p.line < 1 || p.line > lines || p.name.empty()) std::abort();
    (void)numeric_version(p.version);
  }
  (void)snap_yaml_version(text);
  try {
    (void)snap_state_revisions(text);
  } catch (const JsonError&) {
  }
  int line = 0;
  if (ini_value(text, "App", "Version", &line) && (line < 1 || line > lines)) std::abort();
  try {
    (void)appstream_release_version(text);
  } catch (const std::runtime_error&) {
  }
  if (const auto v = numeric_version(text)) {
    if (compare_versions(*v, *v) != 0) std::abort();
    (void)to_string(*v);
  }
  (void)origin_matches(text, "https://ekermed.telesantebretagne.org");
  (void)url_filter_matches(text, "https://ekermed.telesantebretagne.org");
  (void)origin_matches("[*.]telesantebretagne.org", text);
  (void)url_filter_matches("telesantebretagne.org", text);
  return 0;
}
