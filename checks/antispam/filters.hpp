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

// rspamd 3.4's reading of a multimap `map` array (lua_maps.lua
// map_add_from_ucl): true when the array holds entries (static data), false
// when it lists map URLs/paths; decided by its first element.
bool rspamd_array_is_static_data(const std::string& first_element);
// Cuts a "regexp;"-like map type prefix.
std::string strip_map_type_prefix(const std::string& spec);

// What SpamAssassin's WLBLEval and SPF/DKIM welcomelist evals would conclude
// for the sender (the rules USER_IN_WELCOMELIST, USER_IN_BLOCKLIST,
// USER_IN_SPF/DKIM_WELCOMELIST), with the entries that decide it.
struct SaMatch {
  std::optional<SaSource> welcomelist;       // welcomelist_from or a relay-matching welcomelist_from_rcvd
  std::optional<SaSource> rcvd_conditional;  // welcomelist_from_rcvd whose relay is unknown
  std::string rcvd_relay;                    // its relay argument
  std::optional<SaSource> auth;              // welcomelist_auth (needs SPF/DKIM pass)
  std::optional<SaSource> blocklist;         // blocklist_from
};
SaMatch sa_match(const SaConfig& config, const SenderOptions& options);

// A line to append to a file before reading, to try a fix on the model
// exactly as SpamAssassin would read it afterwards.
struct SaAppend {
  std::string file;  // in-root path of a site *.cf or *.pre (created when missing)
  std::string text;  // lines, each ending in '\n'
};

// Reads SpamAssassin's configuration inside `fs` the way Mail::SpamAssassin::init
// does: the site directory's *.pre, the default rules directory's *.pre and
// *.cf, then the site directory's *.cf (each in byte order, includes
// followed). The default rules directory is the first of
// /var/lib/spamassassin/<version> and /usr/share/spamassassin that exists;
// without one, SpamAssassin 4.0.1's welcomelist rules are assumed and a note
// says so. `rules_dir` receives the directory used ("" for the built-in rules).
SaConfig load_spamassassin(const RootFs& fs, const std::string& site_dir, const std::vector<SaAppend>& appends = {},
                           std::string* rules_dir = nullptr);
// Kept for callers that only name the site directory.
inline SaConfig load_spamassassin_site(const RootFs& fs, const std::string& site_dir) {
  return load_spamassassin(fs, site_dir);
}

// Entries that look meant for the sender but do not cover it, with file:line
// and the reason: a pattern for a parent domain or a sibling subdomain,
// welcomelist lines in files SpamAssassin does not read (another site
// directory, *.cf.dpkg-old, a file no include names).
std::vector<Evidence> sa_near_misses(const RootFs& fs, const SaConfig& config, const std::string& site_dir,
                                     const SenderOptions& options);

}  // namespace clinic_audit::antispam
