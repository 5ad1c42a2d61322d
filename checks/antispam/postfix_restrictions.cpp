#include "postfix_restrictions.hpp"
#include "i18n.hpp"

#include <set>

namespace clinic_audit::antispam {

bool restriction_takes_argument(const std::string& r) {
  return (r.rfind("check_", 0) == 0 && r != "check_relay_domains") || r.rfind("reject_rbl", 0) == 0 ||
         r.rfind("reject_rhsbl", 0) == 0 || r == "permit_dnswl_client" || r == "permit_rhswl_client" ||
         r == "reject_dnsbl_client" || r == "sleep";
}

bool postfix_fqdn(const std::string& domain) {
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']') return true;
  return domain.find('.') != std::string::npos && domain.front() != '.' && domain.back() != '.';
}

namespace {

// Restrictions that do not judge a remote sender: relay control, local
// users, recipient validity, and modifiers.
bool is_neutral(const std::string& r) {
  static const std::set<std::string> neutral = {
      "permit_mynetworks", "permit_sasl_authenticated", "permit_tls_clientcerts", "permit_tls_all_clientcerts",
      "reject_unauth_destination", "defer_unauth_destination", "permit_auth_destination", "reject_unauth_pipelining",
      "reject_unlisted_recipient", "reject_unknown_recipient_domain", "reject_non_fqdn_recipient",
      "reject_unverified_recipient", "reject_multi_recipient_bounce", "reject_sender_login_mismatch",
      "reject_authenticated_sender_login_mismatch", "reject_known_sender_login_mismatch",
      "reject_unauthenticated_sender_login_mismatch", "reject_unlisted_sender", "permit_mx_backup",
      "check_recipient_access", "check_recipient_mx_access", "check_recipient_ns_access", "check_recipient_a_access",
      "check_ccert_access", "check_sasl_access", "permit_dnswl_client", "permit_rhswl_client", "sleep",
      "check_relay_domains", "permit_naked_ip_address", "reject_unauth_destination", "reject_unknown_recipient_domain",
      "reject_unverified_recipient",
      // postconf(5): "defer_if_reject: Defer the request if some later
      // restriction would result in a REJECT action": the later one decides.
      "defer_if_reject"};
  return neutral.count(r) > 0;
}

}  // namespace

RestrictionJudgement judge_restriction(const std::string& r, const std::string& arg, const SenderOptions& options) {
  const std::string& domain = options.sender.domain;
  const std::string& addr = options.sender.address;
  const std::string relay =
      options.relay.empty() ? tr("the relay that delivers mail for {0}", domain) : tr("the relay {0}", options.relay);
  if (is_neutral(r)) return {RestrictionEffect::neutral, _("does not judge the sender"), ""};
  // postconf(5) reject_non_fqdn_sender: "Reject the request when the MAIL
  // FROM address specifies a domain that is not in fully-qualified domain form".
  if (r == "reject_non_fqdn_sender") {
    if (postfix_fqdn(domain))
      return {RestrictionEffect::passes, domain + " is fully qualified, so it does not reject " + addr, ""};
    return {RestrictionEffect::rejects, "rejects " + addr + ": " + domain + " is not fully qualified (504)", ""};
  }
  // postconf(5) reject_unknown_sender_domain: rejects when Postfix is not the
  // final destination and the domain has no MX and no A/AAAA record, or a
  // malformed or null MX; a DNS failure defers (450,
  // unknown_address_tempfail_action).
  if (r == "reject_unknown_sender_domain") {
    return {
        RestrictionEffect::conditional,
        _("rejects a sender domain without DNS MX or A/AAAA record; depends on DNS at delivery time"),
        tr("{0} has an MX or A/AAAA record (and no null MX) when the mail arrives (reject_unknown_sender_domain; a DNS "
           "failure defers)",
           domain)};
  }
  // postconf(5) reject_unverified_sender: a verification probe to the
  // sender's MX; "unknown" (DNS or MX unreachable) defers with
  // unverified_sender_defer_code.
  if (r == "reject_unverified_sender") {
    return {RestrictionEffect::conditional,
            _("probes the sender's MX (address_verify_map); depends on DNS and on that MX at delivery time"),
            tr("the MX of {0} accepts RCPT TO:<{1}> from the verification probe (reject_unverified_sender)", domain,
               addr)};
  }
  // HELO restrictions judge the name the sending relay greets with, not the
  // sender address (postconf(5) reject_*_helo_hostname; Postfix < 2.3 names).
  if (r == "reject_non_fqdn_helo_hostname" || r == "reject_non_fqdn_hostname") {
    return {RestrictionEffect::conditional,
            _("rejects a HELO/EHLO name that is not fully qualified; depends on the relay's greeting"),
            tr("{0} greets with a fully qualified HELO name ({1})", relay, r)};
  }
  if (r == "reject_invalid_helo_hostname" || r == "reject_invalid_hostname") {
    return {RestrictionEffect::conditional,
            _("rejects a HELO/EHLO name with bad syntax; depends on the relay's greeting"),
            tr("{0} greets with a syntactically valid HELO name ({1})", relay, r)};
  }
  if (r == "reject_unknown_helo_hostname" || r == "reject_unknown_hostname") {
    return {RestrictionEffect::conditional,
            _("rejects a HELO/EHLO name without DNS A or MX record; depends on DNS at delivery time"),
            tr("{0} greets with a HELO name that has a DNS A or MX record ({1})", relay, r)};
  }
  // postconf(5) reject_unknown_client_hostname: no PTR, or PTR and A that do
  // not match; reject_unknown_reverse_client_hostname: no PTR.
  if (r == "reject_unknown_client_hostname" || r == "reject_unknown_client") {
    return {
        RestrictionEffect::conditional,
        _("rejects a client whose address has no forward-confirmed reverse DNS name; depends on DNS at delivery time"),
        tr("{0} has a PTR name that resolves back to its address ({1})", relay, r)};
  }
  if (r == "reject_unknown_reverse_client_hostname") {
    return {RestrictionEffect::conditional,
            _("rejects a client whose address has no PTR record; depends on DNS at delivery time"),
            tr("{0} has a PTR record ({1})", relay, r)};
  }
  // check_sender_{mx,ns,a}_access look the sender domain's MX/NS/A hosts up
  // in a table: which hosts those are is DNS at delivery time.
  if (r == "check_sender_mx_access" || r == "check_sender_ns_access" || r == "check_sender_a_access") {
    return {RestrictionEffect::conditional,
            tr("looks up the DNS hosts of {0} in {1}; depends on DNS at delivery time", domain, arg),
            tr("the DNS hosts of {0} get no rejecting answer from {1} ({2})", domain, arg, r)};
  }
  // DNS blocklists judge by a third party's reputation: exactly what the
  // whitelist is for, so only an OK before them is proof.
  if (r.rfind("reject_rbl", 0) == 0 || r.rfind("reject_rhsbl", 0) == 0 || r == "reject_dnsbl_client") {
    return {RestrictionEffect::may_reject, tr("a DNS blocklist ({0}) rejects whatever it lists at delivery time", arg),
            ""};
  }
  return {RestrictionEffect::may_reject, _("may reject mail from this sender or its relay"), ""};
}

}  // namespace clinic_audit::antispam
