// rspamd (Debian 12: 3.4). Whitelisting of a sender happens in
//  - multimap rules (https://rspamd.com/doc/modules/multimap.html) of type
//    "from" (SMTP envelope) or "header" with header = "From", whose map holds
//    the sender after the rule's filter ("email:domain", "email:user",
//    "email:addr", "email:domain:tld"; no filter: address, domain and user
//    are all tried), with action = "accept"/"no action" (a pre-result) or a
//    symbol score at or below the whitelist score;
//  - settings (https://rspamd.com/doc/configuration/settings.html) whose
//    `from` matches ("@domain", "user@domain", "user", "/regexp/") and that
//    set want_spam or whitelist (all checks skipped).
// Rules come from /etc/rspamd/local.d (merged) and override.d (replaces a
// rule of the same name), as modules.d/multimap.conf and settings.conf
// include them.
#include <cctype>

#include "i18n.hpp"
#include "common/shell_quote.hpp"
#include "filters.hpp"
#include "rspamd_maps.hpp"
#include "ucl_parser.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::antispam {
namespace {

using rspamd::expand_map_path;
using rspamd::MapHit;
using rspamd::match_map_text;
using rspamd::strip_slashes;

constexpr const char* kConfDir = "/etc/rspamd";

struct RuleSource {
  std::string file;
  std::string name;
  const UclValue* rule;
};

}  // namespace

std::string strip_map_type_prefix(const std::string& spec) {
  // lua_maps.lua maybe_adjust_type: "regexp;", "re;", "glob;", "set;", "hash;",
  // "plain;", "radix;", "ipnet;", "cdb;"... name the map type and are cut off.
  for (const char* prefix : {"regexp_multi;", "re_multi;", "glob_multi;", "regexp;", "re;", "glob;", "radix;", "ipnet;",
                             "set;", "hash;", "plain;", "cdb;"}) {
    const std::string p(prefix);
    if (spec.rfind(p, 0) == 0) return spec.substr(p.size());
  }
  return spec;
}

bool rspamd_array_is_static_data(const std::string& first_element) {
  // lua_maps.lua (rspamd 3.4) map_add_from_ucl: an array whose first element
  // (type prefix cut) matches '^/%a' (a slash and a letter: an absolute path)
  // or '^http' is a list of map URLs; any other array is the map's data, one
  // entry per element. ${LOCAL_CONFDIR} is expanded by UCL before that.
  std::string e = strip_map_type_prefix(first_element);
  for (const char* var : {"${LOCAL_CONFDIR}", "$LOCAL_CONFDIR", "${CONFDIR}", "$CONFDIR", "${DBDIR}", "$DBDIR"}) {
    const std::string v(var);
    if (e.rfind(v, 0) == 0) e = "/etc" + e.substr(v.size());  // any absolute directory: only the leading "/x" matters
  }
  if (e.rfind("http", 0) == 0) return false;
  return !(e.size() >= 2 && e[0] == '/' && std::isalpha(static_cast<unsigned char>(e[1])));
}

std::optional<FilterVerdict> evaluate_rspamd(const RootFs& fs, const SenderOptions& options) {
  auto info = fs.stat(kConfDir);
  if (!info || info->type != FileType::directory) return std::nullopt;
  FilterVerdict verdict;
  verdict.filter = "rspamd";
  const Sender& sender = options.sender;
  std::vector<UclDocument> documents;  // keeps the parsed trees alive
  documents.reserve(4);
  std::vector<RuleSource> multimap;
  std::vector<RuleSource> settings;
  const auto load = [&](const std::string& path, std::vector<RuleSource>& into) {
    auto text = fs.read_file_if_exists(path);
    if (!text) return;
    documents.push_back(parse_ucl(*text, path));
    for (const Evidence& issue : documents.back().issues) verdict.evidence.push_back(issue);
    for (const auto& [name, rule] : documents.back().root.members) {
      if (rule.kind != UclValue::Kind::object) continue;
      bool replaced = false;
      for (RuleSource& existing : into) {
        // override.d (priority 10) replaces; local.d merges over the defaults.
        if (existing.name == name) {
          if (existing.file != path) {
            verdict.evidence.push_back({path, rule.line,
                                        "rule " + name + " replaces the one at " + existing.file + ":" +
                                            std::to_string(existing.rule->line) +
                                            " (override.d is included with priority 10 and wins over local.d)",
                                        _("information only")});
          }
          existing = {path, name, &rule};
          replaced = true;
        }
      }
      if (!replaced) into.push_back({path, name, &rule});
    }
  };
  for (const char* dir : {"/local.d/", "/override.d/"}) {
    load(std::string(kConfDir) + dir + "multimap.conf", multimap);
    load(std::string(kConfDir) + dir + "settings.conf", settings);
  }

  std::vector<std::string> whitelisting;
  std::vector<std::string> blocking;
  // Rules with an entry or condition this check could not evaluate (a
  // refused or invalid regexp), by what they would do on a match: one that
  // might block forbids a pass, one that might whitelist a fail.
  std::vector<std::string> undecided_blocking;
  std::vector<std::string> undecided_whitelisting;
  for (const RuleSource& r : multimap) {
    const UclValue& rule = *r.rule;
    const std::string type = ascii_lower(rule.scalar("type"));
    const bool sender_rule = type == "from" || (type == "header" && ascii_lower(rule.scalar("header")) == "from");
    if (!sender_rule) continue;
    const std::string filter = ascii_lower(rule.scalar("filter"));
    std::vector<std::string> values;
    if (filter.empty()) values = {sender.address, sender.domain, sender.local};
    else if (filter == "email" || filter == "email:addr") values = {sender.address};
    else if (filter == "email:domain") values = {sender.domain};
    else if (filter == "email:user") values = {sender.local};
    else if (filter == "email:domain:tld") {
      // eSLD of a .fr name: the last two labels (the public suffix list has "fr").
      const std::size_t last = sender.domain.rfind('.');
      const std::size_t prev =
          last == std::string::npos || last == 0 ? std::string::npos : sender.domain.rfind('.', last - 1);
      values = {prev == std::string::npos ? sender.domain : sender.domain.substr(prev + 1)};
    } else {
      verdict.evidence.push_back(
          {r.file, rule.line, r.name + ": filter \"" + filter + "\"",
           _("a filter this check evaluates (email, email:addr, email:domain, email:user, email:domain:tld)")});
      continue;
    }
    const bool regexp = rule.get("regexp") && rule.get("regexp")->truthy();
    const bool glob = rule.get("glob") && rule.get("glob")->truthy();
    std::vector<const UclValue*> maps;
    if (const UclValue* m = rule.get("map")) {
      if (m->kind == UclValue::Kind::array) {
        for (const UclValue& item : m->items) maps.push_back(&item);
      } else {
        maps.push_back(m);
      }
    }
    std::optional<MapHit> hit;
    std::vector<Evidence> undecided;
    const auto take = [&](rspamd::MapMatch match) {
      hit = std::move(match.hit);
      for (Evidence& e : match.undecided) undecided.push_back(std::move(e));
    };
    const bool array = rule.get("map") && rule.get("map")->kind == UclValue::Kind::array;
    const bool static_entries = array && !maps.empty() && maps.front()->kind == UclValue::Kind::scalar &&
                                rspamd_array_is_static_data(maps.front()->text);
    for (const UclValue* m : maps) {
      if (hit || m->kind != UclValue::Kind::scalar) continue;
      const std::string& spec = m->text;
      if (static_entries) {
        // Every element is an entry, a regexp "/re/" included (issue #21 item 4).
        rspamd::MapMatch match = match_map_text(r.file, strip_map_type_prefix(spec), values, regexp, glob);
        if (match.hit) match.hit->line = m->line;
        for (Evidence& e : match.undecided) e.line = m->line;
        take(std::move(match));
        continue;
      }
      if (spec.rfind("http://", 0) == 0 || spec.rfind("https://", 0) == 0 || spec.rfind("redis", 0) == 0) {
        verdict.evidence.push_back(
            {r.file, m->line, r.name + ": map " + spec, _("a local map (remote maps are not fetched)")});
        continue;
      }
      // A single string, or an array of URLs: each is a map file (lua_maps.lua).
      const std::string path = expand_map_path(spec);
      std::optional<std::string> text;
      try {
        text = fs.read_file_if_exists(path);
      } catch (const std::exception& e) {
        verdict.evidence.push_back({path, std::nullopt, i18n::exception_text(e), _("a readable map")});
      }
      if (!text) {
        verdict.evidence.push_back({r.file, m->line, r.name + ": map " + path + " is missing", _("the map file")});
        continue;
      }
      take(match_map_text(path, *text, values, regexp, glob));
    }
    const std::string action = ascii_lower(rule.scalar("action"));
    double score = 0;
    try {
      const std::string s = rule.scalar("score");
      if (!s.empty()) score = std::stod(s);
    } catch (const std::exception&) {
    }
    // What a match of this rule does: a pre-result, a score, or neither.
    enum class Effect { whitelists, blocks, neither };
    const bool accepts = action == "accept" || action == "no action" || action == "no_action";
    const Effect effect = accepts ? Effect::whitelists
                          : action == "reject" || action == "soft reject" || action == "add header" ||
                                  action == "rewrite subject" || score > 0
                              ? Effect::blocks
                          : score <= options.whitelist_score ? Effect::whitelists
                                                             : Effect::neither;
    if (!hit && !undecided.empty()) {
      const std::string which = "multimap rule " + r.name + " (" + undecided.front().path + ":" +
                                std::to_string(undecided.front().line.value_or(0)) + ", " + undecided.front().observed +
                                ")";
      if (effect == Effect::blocks) undecided_blocking.push_back(which);
      if (effect == Effect::whitelists) undecided_whitelisting.push_back(which);
      for (Evidence& e : undecided) verdict.evidence.push_back(std::move(e));
    }
    if (!hit) continue;
    const std::string what =
        "multimap rule " + r.name + " (" + r.file + ") matches " + sender.address + " via entry \"" + hit->entry + "\"";
    if (accepts) {
      whitelisting.push_back(r.name);
      verdict.evidence.push_back({hit->file, hit->line, what + ", action " + action, _("a whitelisting entry")});
    } else if (effect == Effect::blocks) {
      blocking.push_back(what + (action.empty() ? ", score " + rule.scalar("score") : ", action " + action));
      verdict.evidence.push_back({hit->file, hit->line,
                                  what + (action.empty() ? ", score " + rule.scalar("score") : ", action " + action),
                                  _("no spam verdict for the sender")});
    } else if (effect == Effect::whitelists) {
      whitelisting.push_back(r.name);
      verdict.evidence.push_back(
          {hit->file, hit->line, what + ", score " + rule.scalar("score"), _("a whitelisting entry")});
    } else {
      verdict.evidence.push_back(
          {hit->file, hit->line, what + ", score " + rule.scalar("score"),
           "action \"accept\" or a score at or below " + std::to_string(options.whitelist_score)});
    }
  }

  // settings.lua (rspamd 3.4) check_settings: priorities from the highest
  // down; only the highest priority with a matching element that applies
  // something counts ("if not applied"), and inside it every match is
  // applied in Lua table order, which is undefined (so when the tied
  // elements disagree, the check cannot tell which one is last).
  // get_priority: "high" 3, "medium" 2, a number as is, anything else 1.
  struct SettingsMatch {
    const RuleSource* source;
    double priority;
    bool applies;   // apply { }, want_spam or whitelist
    bool skip_all;  // want_spam or whitelist
  };
  std::vector<SettingsMatch> matches;
  for (const RuleSource& s : settings) {
    const UclValue& rule = *s.rule;
    const UclValue* from = rule.get("from");
    if (!from) continue;
    std::vector<const UclValue*> conditions;
    if (from->kind == UclValue::Kind::array) {
      for (const UclValue& item : from->items) conditions.push_back(&item);
    } else {
      conditions.push_back(from);
    }
    bool matched = false;
    std::optional<Evidence> undecided;  // the first condition that could not be evaluated
    for (const UclValue* c : conditions) {
      const std::string& t = c->text;
      if (t.empty()) continue;
      if (t.front() == '/') {
        std::string why;
        const std::optional<bool> hit = guarded_perl_match(strip_slashes(t), sender.address, true, why);
        if (!hit && !undecided)
          undecided = Evidence{s.file, c->line, "settings " + s.name + ": from " + t + ": " + why,
                               _("a pattern this check can evaluate safely")};
        matched = matched || hit.value_or(false);
      } else if (t.front() == '@') matched = matched || ascii_lower(t.substr(1)) == sender.domain;
      else if (t.find('@') != std::string::npos) matched = matched || ascii_lower(t) == sender.address;
      else if (t.rfind("map:", 0) != 0) matched = matched || ascii_lower(t) == sender.local;
    }
    const bool skip_all = (rule.get("want_spam") && rule.get("want_spam")->truthy()) ||
                          (rule.get("whitelist") && rule.get("whitelist")->truthy());
    if (!matched && undecided && (skip_all || rule.get("apply") != nullptr)) {
      // It may match: whitelisting, or outranking the element that does.
      (skip_all ? undecided_whitelisting : undecided_blocking)
          .push_back("settings " + s.name + " (" + s.file + ":" + std::to_string(undecided->line.value_or(0)) + ", " +
                     undecided->observed + ")");
      verdict.evidence.push_back(std::move(*undecided));
    }
    if (!matched) continue;
    const std::string p = ascii_lower(rule.scalar("priority"));
    double priority = 1;
    if (p == "high") priority = 3;
    else if (p == "medium") priority = 2;
    else if (!p.empty() && (std::isdigit(static_cast<unsigned char>(p.front())) || p.front() == '-')) {
      try {
        priority = std::stod(p);
      } catch (const std::exception&) {
      }
    }
    matches.push_back({&s, priority, skip_all || rule.get("apply") != nullptr, skip_all});
  }
  double top = -1e300;
  for (const SettingsMatch& m : matches) {
    if (m.applies && m.priority > top) top = m.priority;
  }
  const auto describe = [](const SettingsMatch& m) {
    return "settings " + m.source->name + " (" + m.source->file + ":" + std::to_string(m.source->rule->line) +
           ", priority " +
           (m.priority >= 3   ? std::string("high")
            : m.priority >= 2 ? std::string("medium")
                              : std::string("low")) +
           ")";
  };
  bool tie_disagrees = false;
  const SettingsMatch* winner = nullptr;
  for (const SettingsMatch& m : matches) {
    if (!m.applies || m.priority != top) continue;
    if (winner && winner->skip_all != m.skip_all) tie_disagrees = true;
    if (!winner || (winner->skip_all && !m.skip_all)) winner = &m;  // the less favourable one, when tied
  }
  for (const SettingsMatch& m : matches) {
    const RuleSource& s = *m.source;
    const UclValue& rule = *s.rule;
    if (!m.applies) {
      verdict.evidence.push_back({s.file, rule.line,
                                  "settings " + s.name + " matches " + sender.address + " but does not set want_spam",
                                  _("want_spam = yes (all checks skipped)")});
    } else if (m.priority < top) {
      verdict.evidence.push_back(
          {s.file, rule.line,
           describe(m) + " matches " + sender.address + " but loses to " + describe(*winner) +
               ": rspamd applies only the highest priority that matches (settings.lua)",
           _("one settings element for the sender, or the whitelisting one at the highest priority")});
    } else if (tie_disagrees) {
      verdict.evidence.push_back(
          {s.file, rule.line,
           describe(m) + " matches " + sender.address +
               (m.skip_all ? _(" and skips all checks") : " and applies other settings") +
               "; another element of the same priority disagrees and rspamd's order among them is undefined (Lua table order)",
           _("one settings element for the sender at the highest priority")});
    } else if (m.skip_all) {
      whitelisting.push_back(s.name);
      verdict.evidence.push_back({s.file, rule.line,
                                  describe(m) + " matches " + sender.address + " and skips all checks",
                                  _("a whitelisting entry")});
    } else {
      verdict.evidence.push_back(
          {s.file, rule.line,
           describe(m) + " matches " + sender.address + " and applies settings that do not skip the checks",
           _("want_spam = yes (all checks skipped)")});
    }
  }
  if (winner && (!winner->skip_all || tie_disagrees)) {
    blocking.push_back(
        "settings " + winner->source->name + " (" + winner->source->file + ") applies to " + sender.address +
        (tie_disagrees ? _(" with a whitelisting element of the same priority, in an order rspamd leaves undefined")
                       : " and does not skip the checks"));
  }

  if (!blocking.empty()) {
    verdict.state = FilterState::not_whitelisted;
    verdict.summary = tr("rspamd still scores {0}: {1}", sender.address, blocking.front());
  } else if (!undecided_blocking.empty() || (whitelisting.empty() && !undecided_whitelisting.empty())) {
    // A rule never evaluated decides nothing: neither a pass nor a fail.
    verdict.state = FilterState::error;
    verdict.summary =
        tr("rspamd: cannot tell whether {0} applies to {1}",
           undecided_blocking.empty() ? undecided_whitelisting.front() : undecided_blocking.front(), sender.address);
    verdict.remediation = _("rspamd: write the pattern named in the evidence as one this check can evaluate (no "
                            "back-reference, bounded repetitions, at most 4096 bytes), or as plain or glob entries");
    return verdict;
  } else if (!whitelisting.empty()) {
    verdict.state = FilterState::whitelisted;
    verdict.summary = tr("rspamd whitelists {0} ({1})", sender.address, whitelisting.front());
    return verdict;
  } else {
    verdict.state = FilterState::not_whitelisted;
    verdict.summary = tr("rspamd has no multimap or settings rule that whitelists {0}", sender.address);
  }
  const std::string line =
      "ekermed_teleconsultation { priority = high; from = \"@" + sender.domain + "\"; want_spam = yes; }";
  const std::string file = "/etc/rspamd/local.d/settings.conf";
  verdict.remediation_commands.push_back("grep -qxF " + shell_word(line) + " " + file + " || printf '%s\\n' " +
                                         shell_word(line) + " >> " + file);
  verdict.remediation =
      tr("rspamd: append `{0}` to {1} (settings that skip every check for the sender), then reload rspamd", line, file);
  if (!blocking.empty())
    verdict.remediation += tr("; and remove the sender from the map that scores it ({0})", blocking.front());
  verdict.remediation += ".";
  return verdict;
}

}  // namespace clinic_audit::antispam
