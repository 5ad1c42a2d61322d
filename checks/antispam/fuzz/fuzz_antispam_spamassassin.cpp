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
  // Every include resolves to the same text: the builder's depth and file
  // budgets must stop the recursion.
  SaConfigBuilder builder([&text](const std::string&) { return SaLoaded{text, false, ""}; });
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
