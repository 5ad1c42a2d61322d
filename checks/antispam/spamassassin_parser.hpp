// SpamAssassin configuration files (*.pre, *.cf) split into directives the
// way Mail::SpamAssassin::Conf::Parser::parse does it (SpamAssassin 4.0):
// an unescaped '#' starts a comment, "\#" is a literal '#', leading and
// trailing whitespace is dropped, the first word is the directive (lower
// case, '-' read as '_'), the rest its value. `lang XX` prefixes are kept
// apart because they only apply under that locale.
//
// The model below then applies the directives that decide whether a sender
// is welcomelisted (Mail::SpamAssassin::Conf, "Whitelist and Blacklist
// Options"), following if/ifplugin/else/endif and include like the parser.
// Pure: files are handed in by the caller.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace clinic_audit::antispam {

struct SaDirective {
  int line = 0;
  std::string lang;   // from a "lang xx" prefix, empty otherwise
  std::string key;    // lower case, '-' -> '_', 4.0 aliases mapped (whitelist_from -> welcomelist_from)
  std::string value;  // raw value text
};

std::vector<SaDirective> parse_spamassassin_cf(std::string_view text);

// whitelist_* / blacklist_* are 4.0 aliases of welcomelist_* / blocklist_*.
std::string sa_canonical_key(std::string_view key);

struct SaSource {
  std::string file;
  int line = 0;
};

struct SaRcvdEntry {
  std::string relay;  // second argument: rDNS domain or [IP]
  SaSource source;
};

// The lists SpamAssassin builds from the directives, keyed like its own
// hashes (lower-cased address patterns), so that "unwelcomelist_from X"
// removes exactly what Conf::Parser::remove_from_addrlist removes.
struct SaConfig {
  std::map<std::string, SaSource> welcomelist_from;
  std::map<std::string, std::vector<SaRcvdEntry>> welcomelist_from_rcvd;
  std::map<std::string, std::vector<SaRcvdEntry>> def_welcomelist_from_rcvd;
  std::map<std::string, SaSource> welcomelist_auth;
  std::map<std::string, SaSource> def_welcomelist_auth;
  std::map<std::string, SaSource> blocklist_from;
  std::map<std::string, SaSource> welcomelist_allows_relays;
  // "score RULE value" for the welcomelist/blocklist rules.
  std::map<std::string, std::pair<std::string, SaSource>> scores;
  std::set<std::string> plugins;  // loadplugin
  std::vector<std::string> cf_files;  // the site directory's *.cf, in the order read
  std::vector<Evidence> notes;    // what was skipped and why
};

// Reads one file's text (in-root path); nullopt when it cannot be read
// (the builder records a note naming it).
using SaFileLoader = std::function<std::optional<std::string>(const std::string& path, std::string* why)>;

class SaConfigBuilder {
 public:
  explicit SaConfigBuilder(SaFileLoader loader) : loader_(std::move(loader)) {}
  // Applies `text` as file `path` (in-root, absolute); includes are resolved
  // relative to its directory, as Conf::Parser::fix_path_relative_to_current_file does.
  void add_file(const std::string& path, std::string_view text);
  SaConfig& config() { return config_; }

 private:
  void apply(const std::string& path, std::string_view text, int depth);
  void apply_directive(const SaDirective& directive, const SaSource& source);
  std::optional<bool> evaluate_condition(std::string_view expression) const;

  SaFileLoader loader_;
  SaConfig config_;
  int files_read_ = 0;  // every file applied, includes too: a budget against include bombs
};

// SpamAssassin's address patterns: case-insensitive file globs over the whole
// address ('*' any run, '?' one char), NUL '\\' '(' read as '_'
// (Conf::Parser::add_to_addrlist), or an exact key match.
bool sa_address_matches(std::string_view pattern, std::string_view address);
// welcomelist_from_rcvd's second argument against the relay: a name matches
// itself and its subdomains (WLBLEval: /(?:^|\.)\Q$domain\E$/i); [a.b.c.d]
// an exact IPv4 address, [a.b.c] a classful prefix.
bool sa_relay_matches(std::string_view wanted, std::string_view relay_name, std::string_view relay_ip);

}  // namespace clinic_audit::antispam
