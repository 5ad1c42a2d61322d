// Over 400 lines: smtpd's restriction lists evaluated as postconf(5) and
// SMTPD_ACCESS_README say, one list after the other with the tables they
// consult; the parsers are already apart (postfix_parser.cpp,
// postfix_access.cpp, postfix_restrictions.cpp).
// Postfix smtpd restrictions: does any restriction list still reject the
// sender before a check_sender_access entry says OK? (postconf(5)
// smtpd_*_restrictions, access(5), SMTPD_ACCESS_README "Restriction lists":
// "OK" ends only the list it appears in, each list is evaluated on its own.)
#include <algorithm>
#include <functional>
#include <set>

#include "i18n.hpp"
#include "filters.hpp"
#include "postfix_access.hpp"
#include "postfix_restrictions.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::antispam {
namespace {

constexpr const char* kMainCf = "/etc/postfix/main.cf";
constexpr const char* kMasterCf = "/etc/postfix/master.cf";

// Evaluated in this order by smtpd (with smtpd_delay_reject=yes all at RCPT TO).
constexpr const char* kLists[] = {"smtpd_client_restrictions",     "smtpd_helo_restrictions",
                                  "smtpd_sender_restrictions",     "smtpd_relay_restrictions",
                                  "smtpd_recipient_restrictions",  "smtpd_data_restrictions",
                                  "smtpd_end_of_data_restrictions"};

struct MapView {
  std::string type;
  std::string path;
  std::optional<AccessHit> hit;
  std::optional<AccessHit> domain_entry;  // the sender's exact domain key, in a fixed table
  std::vector<Evidence> losers;           // entries for the sender that lost to `hit`, and why
  std::string error;
  bool fixed() const {
    return type == "hash" || type == "texthash" || type == "lmdb" || type == "cdb" || type == "btree";
  }
};

// What still rejects the sender in one restriction list.
struct Block {
  std::string reason;          // for the summary
  std::string restriction;     // "reject_rbl_client zen.spamhaus.org", empty when a table entry rejects
  std::string where;           // list name and the file:line that sets it
  std::optional<MapView> map;  // the table whose entry rejects
};

std::string postmap_hint(const MapView& m) {
  return m.type == "texthash" ? std::string() : " and run `postmap " + m.type + ":" + m.path + "`";
}

// Looks the sender up in one table given as type:name.
MapView look_up(const RootFs& fs, const std::string& spec, const std::vector<AccessKey>& keys,
                const std::string& address) {
  MapView view;
  std::string rest = spec;
  if (rest.rfind("proxy:", 0) == 0) rest = rest.substr(6);
  const std::size_t colon = rest.find(':');
  if (colon == std::string::npos) {
    view.error = "table '" + spec + "' has no type: (postconf(5) expects type:name)";
    return view;
  }
  view.type = rest.substr(0, colon);
  view.path = rest.substr(colon + 1);
  if (view.type == "static") {
    view.hit = AccessHit{address, view.path, 0};
    return view;
  }
  if (view.type == "inline") {
    // inline:{ key=value, { key = text with space } } (postconf(5) Postfix 3.0)
    std::string body = view.path;
    if (body.size() >= 2 && body.front() == '{' && body.back() == '}') body = body.substr(1, body.size() - 2);
    AccessTable table;
    for (const std::string& item : split_postfix_list(body)) {
      const std::size_t eq = item.find('=');
      if (eq == std::string::npos) continue;
      std::string key = ascii_lower(trim(std::string_view(item).substr(0, eq)));
      table.add({key, std::string(trim(std::string_view(item).substr(eq + 1))), 0});
    }
    view.path = kMainCf;
    view.hit = lookup_fixed(table, keys);
    return view;
  }
  const bool fixed = view.type == "hash" || view.type == "texthash" || view.type == "lmdb" || view.type == "cdb" ||
                     view.type == "btree" || view.type == "dbm" || view.type == "sdbm";
  if (!fixed && view.type != "regexp" && view.type != "pcre") {
    view.error =
        "table type '" + view.type + ":' of " + spec +
        " is not evaluated by this check (supported: hash, texthash, lmdb, cdb, btree, regexp, pcre, static, inline)";
    return view;
  }
  std::optional<std::string> text;
  try {
    text = fs.read_file_if_exists(view.path);
  } catch (const std::exception& e) {
    view.error = i18n::exception_text(e);
    return view;
  }
  if (!text) {
    view.error = "table source " + view.path + " does not exist" +
                 (fixed && view.type != "texthash"
                      ? _(" (only its compiled form can be there; this check reads the postmap source)")
                      : "");
    return view;
  }
  if (fixed) {
    const AccessTable table = parse_access_table(*text, view.path);
    view.hit = lookup_fixed(table, keys);
    // access(5): smtpd stops at the first key it finds; entries for the
    // sender's later keys are never consulted.
    bool after_hit = false;
    for (const AccessKey& k : keys) {
      const AccessEntry* e = table.find(k.key);
      if (!e) continue;
      if (after_hit) {
        view.losers.push_back({view.path, e->line,
                               e->key + " " + e->value + " is never consulted for " + address + ": key " +
                                   view.hit->key + " (line " + std::to_string(view.hit->line) +
                                   ") is looked up first (access(5) order)",
                               _("information only")});
      }
      after_hit = true;
    }
    for (const Evidence& issue : table.issues) {
      if (issue.observed.find("duplicate entry") == 0) view.losers.push_back(issue);
    }
    for (const AccessKey& k : keys) {
      if (k.partial && k.key.find('@') == std::string::npos) {  // the first domain key: the domain itself
        if (const AccessEntry* e = table.find(k.key)) view.domain_entry = AccessHit{e->key, e->value, e->line};
        break;
      }
    }
  } else {
    // Pattern tables are only asked the full address (smtpd_check.c: PARTIAL
    // lookups go to DICT_FLAG_FIXED tables only).
    const PatternDialect dialect = view.type == "pcre" ? PatternDialect::pcre : PatternDialect::posix;
    std::vector<RegexpHit> hits = regexp_lookup_all(parse_regexp_table(*text, view.path, dialect), address, 8);
    // A rule whose pattern was not evaluated, reached before the first
    // match (or with none), may be the one Postfix applies: unless it would
    // answer the same, the table's answer cannot be told.
    const auto first = std::find_if(hits.begin(), hits.end(), [](const RegexpHit& h) { return h.unevaluated.empty(); });
    for (auto it = hits.begin(); it != first; ++it) {
      if (first != hits.end() && it->value == first->value) continue;
      view.error = view.path + ":" + std::to_string(it->line) +
                   ": a rule whose pattern this check does not evaluate (" + it->unevaluated + ") comes before " +
                   (first == hits.end() ? "any rule matching " + address
                                        : "line " + std::to_string(first->line) + " (" + first->value + ")") +
                   ": Postfix may apply it (regexp_table(5): the first match wins)";
      return view;
    }
    hits.erase(std::remove_if(hits.begin(), hits.end(), [](const RegexpHit& h) { return !h.unevaluated.empty(); }),
               hits.end());
    if (!hits.empty()) view.hit = AccessHit{address, hits.front().value, hits.front().line};
    for (std::size_t i = 1; i < hits.size(); ++i) {
      view.losers.push_back({view.path, hits[i].line,
                             "/.../ " + hits[i].value + " also matches " + address + " but loses to line " +
                                 std::to_string(hits.front().line) + " (regexp_table(5): the first match wins)",
                             "information only"});
    }
  }
  return view;
}

// The table line to add or change, then where check_sender_access must go.
// Lookup order decides what works. In a fixed table (access(5)) the domain
// key is tried before its parents and user@, so "domain OK" overrides a
// parent's entry, but not an entry for the full address or the domain itself
// (postmap keeps the first of duplicate keys), which must be changed instead.
// In a regexp table (regexp_table(5)) the first matching rule wins, so the
// OK rule goes above the rule that answers now.
std::string postfix_remediation(const std::vector<Block>& blocked, const std::optional<MapView>& first_table,
                                const Sender& sender) {
  std::vector<std::string> steps;
  std::optional<MapView> target = first_table;
  for (const Block& b : blocked) {
    if (b.map) {
      target = b.map;
      break;
    }
  }
  if (target && !target->fixed() && target->type != "regexp" && target->type != "pcre") {
    steps.push_back("remove `check_sender_access " + target->type + ":" + target->path + "`, which answers \"" +
                    (target->hit ? target->hit->value : std::string()) + "\" for every sender");
    target.reset();
  }
  MapView m;
  m.type = "hash";
  m.path = "/etc/postfix/sender_access";
  if (target) m = *target;
  const std::string spec = m.type + ":" + m.path;
  const std::string ok_line = sender.domain + " OK";
  if (m.type == "regexp" || m.type == "pcre") {  // the same rule reads alike in both
    std::string escaped;
    for (char c : sender.domain) {
      if (c == '.') escaped += "\\";
      escaped.push_back(c);
    }
    const std::string rule = "/@" + escaped + "$/ OK";
    steps.push_back(m.hit ? "add the line `" + rule + "` to " + m.path + " above line " + std::to_string(m.hit->line)
                          : "add the line `" + rule + "` to " + m.path);
  } else if (m.hit && classify_access_value(m.hit->value) == AccessAction::accept) {
    // The table already answers OK: it only has to be asked earlier.
  } else if (m.hit && (m.hit->key == sender.address || m.hit->key == sender.domain)) {
    steps.push_back("change line " + std::to_string(m.hit->line) + " of " + m.path + " (`" + m.hit->key + " " +
                    m.hit->value + "`) to `" + m.hit->key + " OK`" + postmap_hint(m));
  } else if (m.domain_entry) {
    steps.push_back("change line " + std::to_string(m.domain_entry->line) + " of " + m.path + " (`" +
                    m.domain_entry->key + " " + m.domain_entry->value + "`) to `" + ok_line + "`" + postmap_hint(m));
  } else {
    steps.push_back("add the line `" + ok_line + "` to " + m.path + postmap_hint(m));
  }
  for (const Block& b : blocked) {
    if (!b.restriction.empty()) {
      steps.push_back("put `check_sender_access " + spec + "` before `" + b.restriction + "` in " + b.where);
    }
  }
  std::string out;
  for (const std::string& step : steps) out += (out.empty() ? "" : "; ") + step;
  return out;
}

}  // namespace

std::optional<FilterVerdict> evaluate_postfix(const RootFs& fs, const SenderOptions& options) {
  std::optional<std::string> main_text = fs.read_file_if_exists(kMainCf);
  if (!main_text) return std::nullopt;
  FilterVerdict verdict;
  verdict.filter = "Postfix";
  std::vector<Evidence> issues;
  std::vector<std::string> errors;
  const auto params = parse_main_cf(*main_text, &issues, kMainCf);
  std::map<std::string, std::string> values;
  for (const auto& [name, p] : params) values[name] = p.value;
  // Where each parameter's value comes from: main.cf (the last definition
  // wins, postconf(5)), or a "-o" of the smtpd that receives mail from the
  // Internet in master.cf, which overrides main.cf for that service (master(5)).
  struct Origin {
    std::string file;
    int line = 0;
    std::string lost;  // the competing definitions and why they lost
  };
  std::map<std::string, Origin> origin;
  for (const auto& [name, p] : params) {
    Origin o{kMainCf, p.line, {}};
    for (int earlier : p.earlier_lines) {
      o.lost += std::string(o.lost.empty() ? "" : ", ") + kMainCf + ":" + std::to_string(earlier);
    }
    if (!o.lost.empty()) o.lost = "overrides " + o.lost + " (the last definition in main.cf wins)";
    origin[name] = o;
  }
  if (auto master = fs.read_file_if_exists(kMasterCf)) {
    for (const MasterService& service : parse_master_cf(*master)) {
      const bool internet_smtpd =
          service.command == "smtpd" &&
          (service.type == "pass" ||
           (service.type == "inet" && (service.service == "smtp" || service.service.ends_with(":smtp") ||
                                       service.service == "25" || service.service.ends_with(":25"))));
      if (!internet_smtpd) continue;
      for (const auto& [name, value] : service.overrides) {
        values[name] = value;
        auto it = origin.find(name);
        std::string lost = it == origin.end() || it->second.file != kMainCf
                               ? std::string()
                               : "overrides " + std::string(kMainCf) + ":" + std::to_string(it->second.line) +
                                     " for the " + service.service + " service (master(5) -o)";
        origin[name] = {kMasterCf, service.line, lost};
      }
    }
  }
  const auto file_of = [&](const std::string& name) {
    auto it = origin.find(name);
    return it == origin.end() ? std::string(kMainCf) : it->second.file;
  };
  const auto line_of = [&](const std::string& name) -> std::optional<int> {
    auto it = origin.find(name);
    return it == origin.end() ? std::nullopt : std::optional<int>(it->second.line);
  };
  // "name (file:line, overrides file:line ...)" or "name (main.cf, default)".
  const auto set_at = [&](const std::string& name) {
    auto it = origin.find(name);
    if (it == origin.end()) return name + " (" + kMainCf + ", default)";
    return name + " (" + it->second.file + ":" + std::to_string(it->second.line) +
           (it->second.lost.empty() ? std::string() : "; " + it->second.lost) + ")";
  };
  // Every expansion is bounded, and all of them together too.
  std::size_t expanded_total = 0;
  const auto param = [&](const std::string& name, const std::string& fallback) {
    auto it = values.find(name);
    std::string error;
    std::string out = postfix_expand(it == values.end() ? fallback : it->second, values, &error);
    expanded_total += out.size();
    if (error.empty() && expanded_total > 16 * kMaxPostfixExpansion)
      error = _("parameter expansions exceed 4 MiB in all");
    if (!error.empty()) {
      errors.push_back(name + ": " + error);
      verdict.evidence.push_back(
          {file_of(name), line_of(name), name + ": " + error, _("a value this check can expand")});
      return std::string();
    }
    return out;
  };
  bool parent_style = false;
  for (const std::string& item :
       split_postfix_list(param("parent_domain_matches_subdomains", std::string(kPostfixParentDomainDefault)))) {
    if (item == "smtpd_access_maps") parent_style = true;
  }
  const std::vector<AccessKey> keys =
      sender_access_keys(options.sender, parent_style, param("recipient_delimiter", ""));
  std::set<std::string> classes;
  for (const std::string& c : split_postfix_list(param("smtpd_restriction_classes", ""))) classes.insert(c);

  const std::string& addr = options.sender.address;
  std::vector<Block> blocked;
  std::vector<std::string> conditions;  // what must hold at delivery time (DNS, the relay's greeting)
  std::optional<MapView> access_map;    // the first check_sender_access table, where the fix goes
  bool filtering = false;
  // One restriction list, with restriction classes expanded where they are
  // named (postconf(5) smtpd_restriction_classes: a class name stands for
  // its list; smtpd_check.c evaluates it in place, and its OK ends the
  // enclosing list as well). `warn_only`: a warn_if_reject before it turns
  // its rejections into warnings (postconf(5) warn_if_reject; smtpd_check.c
  // keeps the flag for the whole of the next restriction, a class included).
  // Returns true when the list is done (OK, permit, or a rejection found).
  std::function<bool(const std::vector<std::string>&, const char*, const std::string&, int, bool)> evaluate_list;
  evaluate_list = [&](const std::vector<std::string>& items, const char* list_name, const std::string& where, int depth,
                      bool inherited_warn) {
    bool warn_next = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string& name = items[i];
      const std::string r = ascii_lower(name);
      const std::string arg = restriction_takes_argument(r) && i + 1 < items.size() ? items[++i] : std::string();
      const bool warn_only = inherited_warn || warn_next;
      warn_next = false;
      if (r == "warn_if_reject") {
        warn_next = true;
        continue;
      }
      const std::string warned = warn_only ? _(" (after warn_if_reject: it only logs a warning)") : "";
      if (classes.count(name) > 0) {
        const std::string class_where = "restriction class " + set_at(name) + ", named in " + where;
        filtering = true;
        if (depth >= 8) {
          errors.push_back("restriction class " + name + " nested deeper than 8 in " + where);
          verdict.evidence.push_back({file_of(name), line_of(name),
                                      "restriction class " + name + " nested too deep (a loop?)",
                                      _("restriction classes that end")});
          return true;
        }
        const std::string body = param(name, "");
        verdict.evidence.push_back(
            {file_of(name), line_of(name),
             "restriction class " + name + " = " + body + " (expanded where " + where + " names it)" + warned,
             _("information only")});
        if (evaluate_list(split_postfix_list(body), list_name, class_where, depth + 1, warn_only)) return true;
        continue;
      }
      if (r == "check_sender_access") {
        filtering = true;
        MapView view = look_up(fs, arg, keys, addr);
        if (!view.error.empty()) {
          errors.push_back(view.error + " in " + where);
          verdict.evidence.push_back({file_of(list_name), line_of(list_name),
                                      "check_sender_access " + arg + ": " + view.error,
                                      _("a table this check can read")});
          return true;
        }
        if (!access_map) access_map = view;
        for (const Evidence& loser : view.losers) verdict.evidence.push_back(loser);
        if (!view.hit) continue;
        const AccessAction action = classify_access_value(view.hit->value);
        Evidence e{view.path, view.hit->line > 0 ? std::optional<int>(view.hit->line) : std::nullopt,
                   view.hit->key + " " + view.hit->value + " (check_sender_access " + arg + " in " + where + ")" +
                       (action == AccessAction::reject ? warned : std::string()),
                   "an OK entry for " + addr};
        verdict.evidence.push_back(e);
        if (action == AccessAction::accept) return true;  // OK: this list permits the sender
        if (action == AccessAction::reject) {
          if (warn_only) continue;
          blocked.push_back({arg + " answers \"" + view.hit->value + "\" for key " + view.hit->key + " in " + where, "",
                             where, view});
          return true;
        }
        // access(5): a result that names a restriction class runs that class.
        const std::vector<std::string> result_words = split_ws(view.hit->value);
        if (!result_words.empty() && classes.count(result_words.front()) > 0 && depth < 8) {
          if (evaluate_list({result_words.front()}, list_name,
                            where + ", via the table result at " + view.path + ":" + std::to_string(view.hit->line),
                            depth + 1, warn_only)) {
            return true;
          }
        }
        continue;
      }
      if (r == "permit") return true;
      const RestrictionJudgement judged = judge_restriction(r, arg, options);
      const std::string restriction = arg.empty() ? name : name + " " + arg;
      switch (judged.effect) {
        case RestrictionEffect::neutral: continue;
        case RestrictionEffect::passes:
          verdict.evidence.push_back({file_of(list_name), line_of(list_name),
                                      restriction + " in " + where + ": " + judged.reason,
                                      "a restriction that lets " + addr + " through"});
          continue;
        case RestrictionEffect::conditional:
          filtering = true;
          verdict.evidence.push_back(
              {file_of(list_name), line_of(list_name),
               restriction + " in " + where + ": " + judged.reason + warned + " (not looked up: evidence only)",
               "mail accepted only if " + judged.condition});
          if (!warn_only) conditions.push_back(judged.condition);
          continue;
        case RestrictionEffect::rejects:
        case RestrictionEffect::may_reject: break;
      }
      // Anything else may reject mail from this sender or its client: DNS
      // lists, policy services (postgrey, SPF), client and HELO tables, a
      // bare reject.
      filtering = true;
      if (warn_only) {
        verdict.evidence.push_back(
            {file_of(list_name), line_of(list_name), restriction + " in " + where + warned, _("information only")});
        continue;
      }
      if (judged.effect == RestrictionEffect::rejects) {
        blocked.push_back({restriction + " in " + where + " " + judged.reason, restriction, where, std::nullopt});
      } else {
        blocked.push_back(
            {restriction + " comes before any OK for the sender in " + where, restriction, where, std::nullopt});
      }
      verdict.evidence.push_back({file_of(list_name), line_of(list_name),
                                  restriction + " in " + where + ": " + judged.reason,
                                  "check_sender_access with an OK for " + addr + " before it"});
      return true;
    }
    return false;
  };
  for (const char* list_name : kLists) {
    evaluate_list(split_postfix_list(param(list_name, "")), list_name, set_at(list_name), 0, false);
  }
  for (const Evidence& issue : issues) verdict.evidence.push_back(issue);

  if (!filtering && errors.empty()) {
    verdict.state = FilterState::not_filtering;
    verdict.summary = _("Postfix applies no sender or spam restriction in its smtpd_*_restrictions");
    return verdict;
  }
  if (!blocked.empty()) {
    verdict.state = FilterState::not_whitelisted;
    verdict.summary = tr("Postfix may still reject {0}: {1}", addr, blocked.front().reason);
    verdict.remediation = "Postfix: " + postfix_remediation(blocked, access_map, options.sender);
    return verdict;
  }
  if (!errors.empty()) {
    verdict.state = FilterState::error;
    verdict.summary = "Postfix: " + errors.front();
    return verdict;
  }
  verdict.state = FilterState::whitelisted;
  if (conditions.empty()) {
    verdict.summary = tr("Postfix accepts {0}: no smtpd restriction rejects it before a check_sender_access OK", addr);
    return verdict;
  }
  verdict.summary = tr(
      "Postfix accepts {0} unless DNS or the relay says otherwise at delivery time: no restriction rejects it outright",
      addr);
  std::string joined;
  for (const std::string& c : conditions) {
    if (joined.find(c) == std::string::npos) joined += (joined.empty() ? "" : "; ") + c;
  }
  verdict.condition = tr("only while {0}", joined);
  return verdict;
}

}  // namespace clinic_audit::antispam
