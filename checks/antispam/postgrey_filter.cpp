// postgrey (Debian 12: 1.37) greylists by client, not by sender: its
// whitelists (/etc/postgrey/whitelist_clients[.local]) name client
// hostnames, domains or IPs, and whitelist_recipients name recipients
// (postgrey(8), "WHITELISTS"). No sender entry can exempt the teleconsultation
// mail; the first mail from a new relay is only delayed (450), then
// accepted. So postgrey is reported for information, never as a failure; a
// Postfix check_sender_access OK placed before its check_policy_service is
// what exempts the sender (judged with Postfix).
#include "i18n.hpp"
#include "filters.hpp"

namespace clinic_audit::antispam {

std::optional<FilterVerdict> evaluate_postgrey(const RootFs& fs, const SenderOptions& options) {
  const auto dir = fs.stat("/etc/postgrey");
  const bool defaults = fs.exists("/etc/default/postgrey");
  if ((!dir || dir->type != FileType::directory) && !defaults) return std::nullopt;
  FilterVerdict verdict;
  verdict.filter = "postgrey";
  verdict.state = FilterState::not_filtering;
  verdict.summary =
      tr("postgrey whitelists clients (relay hostnames or IPs), not senders: mail from {0} is delayed once "
         "per new relay unless Postfix accepts the sender before its policy service",
         options.sender.address);
  for (const char* file : {"/etc/postgrey/whitelist_clients", "/etc/postgrey/whitelist_clients.local"}) {
    if (fs.exists(file)) {
      verdict.evidence.push_back(
          {file, std::nullopt, _("postgrey client whitelist"), "client hostnames/IPs (senders cannot be listed here)"});
    }
  }
  return verdict;
}

}  // namespace clinic_audit::antispam
