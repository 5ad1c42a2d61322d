// libFuzzer target: Postfix main.cf, restriction lists, parameter expansion,
// access tables (postmap source), regexp and pcre tables, with the sender looked up
// in them as smtpd would.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "antispam/postfix_access.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::antispam;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<clinic_audit::Evidence> issues;
  const auto params = parse_main_cf(text, &issues, "/etc/postfix/main.cf");
  std::map<std::string, std::string> values;
  for (const auto& [name, p] : params) values[name] = p.value;
  // As evaluate_postfix does: every expansion bounded (an error past
  // kMaxPostfixExpansion), and all of them together (4 MiB), so that many
  // small doubling parameters cannot add up to gigabytes of work.
  std::size_t total = 0;
  for (const auto& [name, p] : params) {
    std::string error;
    const std::string expanded = postfix_expand(p.value, values, &error);
    if (expanded.size() > kMaxPostfixExpansion + size) __builtin_trap();
    total += expanded.size();
    if (!error.empty() || total > 16 * kMaxPostfixExpansion) break;
    (void)split_postfix_list(expanded);
  }
  for (const MasterService& service : parse_master_cf(text)) {
    if (service.line <= 0) __builtin_trap();
  }
  const Sender sender = *parse_sender("votre-teleconsultation@visiotlm.esante-bretagne.fr");
  const AccessTable table = parse_access_table(text, "/etc/postfix/sender_access");
  for (const AccessEntry& e : table.entries) {
    if (table.find(e.key) != &e) __builtin_trap();  // first of duplicates kept, index consistent
  }
  if (auto hit = lookup_fixed(table, sender_access_keys(sender, true, "-+"))) (void)classify_access_value(hit->value);
  const RegexpTable regexps = parse_regexp_table(text, "/etc/postfix/sender_checks");
  (void)regexp_lookup(regexps, sender.address);
  // pcre_table(5): the same lines, Perl patterns translated to POSIX.
  const RegexpTable pcres = parse_regexp_table(text, "/etc/postfix/sender_checks.pcre", PatternDialect::pcre);
  for (const RegexpRule& rule : pcres.rules) {
    if (rule.replacement.max_group > 0 && rule.negate) __builtin_trap();  // Postfix skips those: never kept
  }
  (void)regexp_lookup(pcres, sender.address);
  return 0;
}
