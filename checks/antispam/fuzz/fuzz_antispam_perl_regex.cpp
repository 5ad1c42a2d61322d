// libFuzzer target: Perl/PCRE patterns translated to POSIX (perl_regex.hpp),
// then matched through the regex guard as the amavis and rspamd checks do.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "antispam/antispam_common.hpp"
#include "antispam/perl_regex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::antispam;
  const std::string_view perl(reinterpret_cast<const char*>(data), size);
  std::string why;
  const std::optional<std::string> ere = perl_to_posix_ere(perl, why);
  if (!ere) {
    if (why.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  if (!why.empty()) __builtin_trap();
  // A translation never holds a NUL: it goes to regcomp as a C string.
  if (ere->find('\0') != std::string::npos) __builtin_trap();
  (void)guarded_perl_match(std::string(perl), "votre-teleconsultation@visiotlm.esante-bretagne.fr", true, why);
  return 0;
}
