// One evaluator per mail filter. Each looks for the filter's configuration
// inside the audited root and returns nullopt when the filter is not there,
// else its verdict for the sender, with the file and line of every entry
// that decides it and, when the sender is not let through, the exact line
// to add in that filter's own syntax.
#pragma once

#include <optional>

#include "antispam_common.hpp"
#include "common/root_fs.hpp"
#include "spamassassin_parser.hpp"

namespace clinic_audit::antispam {

std::optional<FilterVerdict> evaluate_spamassassin(const RootFs& fs, const SenderOptions& options);
std::optional<FilterVerdict> evaluate_postfix(const RootFs& fs, const SenderOptions& options);
std::optional<FilterVerdict> evaluate_rspamd(const RootFs& fs, const SenderOptions& options);
std::optional<FilterVerdict> evaluate_amavis(const RootFs& fs, const SenderOptions& options);
std::optional<FilterVerdict> evaluate_postgrey(const RootFs& fs, const SenderOptions& options);

// What SpamAssassin's WLBLEval and SPF/DKIM welcomelist evals would conclude
// for the sender (the rules USER_IN_WELCOMELIST, USER_IN_BLOCKLIST,
// USER_IN_SPF/DKIM_WELCOMELIST), with the entries that decide it.
struct SaMatch {
  std::optional<SaSource> welcomelist;        // welcomelist_from or a relay-matching welcomelist_from_rcvd
  std::optional<SaSource> rcvd_conditional;   // welcomelist_from_rcvd whose relay is unknown
  std::string rcvd_relay;                     // its relay argument
  std::optional<SaSource> auth;               // welcomelist_auth (needs SPF/DKIM pass)
  std::optional<SaSource> blocklist;          // blocklist_from
};
SaMatch sa_match(const SaConfig& config, const SenderOptions& options);

// Reads SpamAssassin's site configuration directory inside `fs` the way
// Mail::SpamAssassin does (*.pre then *.cf, byte order, includes).
SaConfig load_spamassassin_site(const RootFs& fs, const std::string& site_dir);

}  // namespace clinic_audit::antispam
