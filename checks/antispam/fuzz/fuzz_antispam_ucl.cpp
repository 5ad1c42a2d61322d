// libFuzzer target: the UCL subset parser used for rspamd's local.d and
// override.d files (nesting, strings, heredocs, comments, macros).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "antispam/ucl_parser.hpp"

namespace {
std::size_t count(const clinic_audit::antispam::UclValue& v, int depth) {
  if (depth > 200) __builtin_trap();  // the parser caps nesting at 64
  std::size_t n = 1;
  for (const auto& [key, child] : v.members) n += count(child, depth + 1);
  for (const auto& child : v.items) n += count(child, depth + 1);
  return n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::antispam;
  const UclDocument doc =
      parse_ucl(std::string_view(reinterpret_cast<const char*>(data), size), "/etc/rspamd/local.d/multimap.conf");
  if (doc.root.kind != UclValue::Kind::object) __builtin_trap();
  (void)count(doc.root, 0);
  if (const UclValue* rule = doc.root.get("WHITELIST_SENDER_DOMAIN")) (void)rule->scalar("type");
  return 0;
}
