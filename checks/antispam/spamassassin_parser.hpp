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

#include <array>
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

// One "score RULE ..." line: four score sets (Conf.pm: set 0 no Bayes/no
// network, 1 network, 2 Bayes, 3 both), relative when given in parentheses.
struct SaScoreLine {
  std::array<double, 4> values{};
  bool relative = false;
  SaSource source;
};

// A rule as the configuration defines it, kept only for what the check needs:
// a header rule calling an eval function, or a meta rule over one other rule
// ("meta USER_IN_WHITELIST (USER_IN_WELCOMELIST)", 60_welcomelist.cf).
struct SaRule {
  std::string eval_function;      // "check_from_in_welcomelist" for header NAME eval:check_from_in_welcomelist()
  std::string meta_dependency;    // the single rule a meta depends on
  bool other_definition = false;  // any other definition (a regex header, a compound meta): never fires here
  SaSource defined;
  std::vector<SaScoreLine> scores;  // in the order read: the last absolute one and the relative ones after it count
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
  // welcomelist_from_spf/_dkim and their def_ forms (Plugin::SPF, Plugin::DKIM):
  // like welcomelist_auth, they count only when SPF/DKIM pass at delivery.
  std::map<std::string, SaSource> welcomelist_from_spf;
  std::map<std::string, SaSource> welcomelist_from_dkim;
  std::map<std::string, SaSource> def_welcomelist_from_spf;
  std::map<std::string, SaSource> def_welcomelist_from_dkim;
  std::map<std::string, SaSource> blocklist_from;
  std::map<std::string, SaSource> welcomelist_allows_relays;
  // Rule definitions and score lines of every file read (default rules
  // directory, then site configuration), by rule name.
  std::map<std::string, SaRule> rules;
  std::set<std::string> plugins;      // loadplugin
  std::set<std::string> compat;       // enable_compat flags (Conf.pm: defines Conf::compat_<flag>)
  std::vector<std::string> cf_files;  // the site directory's *.cf, in the order read
  std::set<std::string> files_read;   // every file applied, includes too
  std::vector<Evidence> notes;        // what was skipped and why
  // Files SpamAssassin would read that this check could not (permission,
  // not a regular file, over the size cap): the verdict is then `error`
  // naming them, never pass or fail (issue #20 items 2 and 8).
  std::vector<Evidence> unreadable;
};

// One file's text (in-root path). A missing file is skipped by SpamAssassin
// with a warning (a note here); any other failure makes the verdict `error`.
struct SaLoaded {
  std::optional<std::string> text;
  bool missing = false;
  std::string why;
};
using SaFileLoader = std::function<SaLoaded(const std::string& path)>;

class SaConfigBuilder {
 public:
  explicit SaConfigBuilder(SaFileLoader loader) : loader_(std::move(loader)) {}
  // Applies `text` as file `path` (in-root, absolute); includes are resolved
  // relative to its directory, as Conf::Parser::fix_path_relative_to_current_file does.
  void add_file(const std::string& path, std::string_view text);
  // A file SpamAssassin would read but this check could not.
  void add_unreadable(const std::string& path, const std::string& why);
  SaConfig& config() { return config_; }

 private:
  void apply(const std::string& path, std::string_view text, int depth);
  void apply_directive(const SaDirective& directive, const SaSource& source);
  void apply_rule_definition(const SaDirective& directive, const SaSource& source,
                             const std::vector<std::string>& args);
  void apply_score(const SaDirective& directive, const SaSource& source, const std::vector<std::string>& args);
  std::optional<bool> evaluate_condition(std::string_view expression) const;

  SaFileLoader loader_;
  SaConfig config_;
  int files_read_ = 0;              // every file applied, includes too: a budget against include bombs
  std::size_t included_bytes_ = 0;  // bytes read through `include`, a budget too
  std::vector<std::string> chain_;  // the files being applied, outermost first: include loops
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
