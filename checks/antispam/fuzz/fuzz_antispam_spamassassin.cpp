// libFuzzer target: SpamAssassin configuration parsing and the model built
// from it (conditions, includes that point back at the same text, address
// globs), as read from an audited image that may hold anything.
#include <cstddef>
#include <cstdint>
#include <string>

#include "antispam/filters.hpp"
#include "antispam/spamassassin_score.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::antispam;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const SaDirective& d : parse_spamassassin_cf(text)) {
    if (d.key.empty() || d.line <= 0) __builtin_trap();
  }
  // Every include resolves to the same text: the builder's loop check and
  // depth budget must stop the recursion. Relative includes make a new path
  // per level ("other.cf" in other/...), so two of them per file reach the
  // 1000-file budget: 0.7 s of CPU under ASan for a 500-byte input, which
  // proves no more than the first reads (the budgets themselves are unit
  // tests: SpamAssassinParser.*Include*). Past 64 KiB served, "no such file".
  std::size_t served = 0;
  SaConfigBuilder builder([&text, &served](const std::string&) {
    served += text.size() + 1;
    if (served > 64 * 1024) return SaLoaded{std::nullopt, true, "no such file"};
    return SaLoaded{text, false, ""};
  });
  if (size <= 4096) builder.add_file("/etc/spamassassin/local.cf", text);  // keeps each run fast
  SenderOptions options{*parse_sender("votre-teleconsultation@visiotlm.esante-bretagne.fr"),
                        "mail.esante-bretagne.fr",
                        "192.0.2.10",
                        true,
                        -10.0,
                        ""};
  (void)sa_match(builder.config(), options);
  // The score model over whatever rules and score lines the text defines.
  (void)sa_weight(builder.config(), options).worst();
  // The first line as a glob against the sender.
  (void)sa_address_matches(text.substr(0, text.find('\n')), options.sender.address);
  return 0;
}
