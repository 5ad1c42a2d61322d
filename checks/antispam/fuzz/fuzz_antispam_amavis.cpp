// libFuzzer target: the Perl data subset read from amavisd-new's conf.d
// files (assignments, qw/qr/q quoting, nested lists and hashes, POD).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "antispam/amavis_parser.hpp"

namespace {
void walk(const clinic_audit::antispam::PerlNode& n, int depth) {
  if (depth > 200) __builtin_trap();  // the parser caps nesting at 64
  (void)clinic_audit::antispam::perl_true(n);
  for (const auto& child : n.children) walk(child, depth + 1);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::antispam;
  for (const PerlStatement& st : parse_perl_config(std::string_view(reinterpret_cast<const char*>(data), size))) {
    if (st.target.empty()) __builtin_trap();
    walk(st.value, 0);
  }
  return 0;
}
