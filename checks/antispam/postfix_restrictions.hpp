// What one smtpd restriction does to the e-KerMed sender, judged from what
// postconf(5) says it rejects, never by a DNS lookup: restrictions whose
// answer depends on DNS (or on the sending relay) at delivery time are
// "conditional", and the condition is stated; a restriction that can only
// reject what this sender is not "passes". Pure.
#pragma once

#include <string>

#include "antispam_common.hpp"

namespace clinic_audit::antispam {

enum class RestrictionEffect {
  neutral,      // relay control, recipient checks, modifiers: says nothing about the sender
  passes,       // can only reject what this sender is not (reject_non_fqdn_sender for a FQDN)
  conditional,  // rejects only when DNS or the relay says so at delivery time
  rejects,      // rejects this sender whatever DNS says (reject_non_fqdn_sender for a bare name)
  may_reject,   // reputation, policy services, client tables, a bare reject
};

struct RestrictionJudgement {
  RestrictionEffect effect = RestrictionEffect::may_reject;
  std::string reason;     // what postconf(5) says it rejects, applied to the sender
  std::string condition;  // for conditional: what must hold at delivery time
};

// `name` in lower case; `arg` its argument (a table, a DNS list) or empty.
RestrictionJudgement judge_restriction(const std::string& name, const std::string& arg, const SenderOptions& options);

// Restrictions that take one argument (a table, a DNS list, a policy server).
bool restriction_takes_argument(const std::string& name);

// Postfix's test for a fully qualified domain (smtpd_check.c
// reject_non_fqdn_address: a domain with a dot; an address literal counts).
bool postfix_fqdn(const std::string& domain);

}  // namespace clinic_audit::antispam
