// Postfix smtpd restrictions: does any restriction list still reject the
// sender before a check_sender_access entry says OK? (postconf(5)
// smtpd_*_restrictions, access(5), SMTPD_ACCESS_README "Restriction lists":
// "OK" ends only the list it appears in, each list is evaluated on its own.)
#include <functional>
#include <set>

#include "filters.hpp"
#include "postfix_access.hpp"

namespace clinic_audit::antispam {
namespace {

constexpr const char* kMainCf = "/etc/postfix/main.cf";
constexpr const char* kMasterCf = "/etc/postfix/master.cf";

// Evaluated in this order by smtpd (with smtpd_delay_reject=yes all at RCPT TO).
constexpr const char* kLists[] = {"smtpd_client_restrictions",    "smtpd_helo_restrictions",
                                  "smtpd_sender_restrictions",    "smtpd_relay_restrictions",
                                  "smtpd_recipient_restrictions", "smtpd_data_restrictions",
                                  "smtpd_end_of_data_restrictions"};

// Restrictions that take one argument (a table, a DNS list, a policy server).
bool takes_argument(const std::string& r) {
  return (r.rfind("check_", 0) == 0 && r != "check_relay_domains") || r.rfind("reject_rbl", 0) == 0 ||
         r.rfind("reject_rhsbl", 0) == 0 || r == "permit_dnswl_client" || r == "permit_rhswl_client" ||
         r == "reject_dnsbl_client";
}

// Restrictions that do not judge a remote sender as spam: relay control,
// local users, recipient validity, and modifiers.
bool is_neutral(const std::string& r) {
  static const std::set<std::string> neutral = {
      "permit_mynetworks", "permit_sasl_authenticated", "permit_tls_clientcerts", "permit_tls_all_clientcerts",
      "reject_unauth_destination", "defer_unauth_destination", "permit_auth_destination",
      "reject_unauth_pipelining", "reject_unlisted_recipient", "reject_unknown_recipient_domain",
      "reject_non_fqdn_recipient", "reject_unverified_recipient", "reject_multi_recipient_bounce",
      "reject_sender_login_mismatch", "reject_authenticated_sender_login_mismatch",
      "reject_known_sender_login_mismatch", "reject_unauthenticated_sender_login_mismatch",
      "reject_unlisted_sender", "warn_if_reject", "permit_mx_backup", "reject_unauth_destination",
      "check_recipient_access", "check_recipient_mx_access", "check_recipient_ns_access",
      "check_recipient_a_access", "check_ccert_access", "check_sasl_access", "permit_dnswl_client",
      "permit_rhswl_client", "sleep", "check_relay_domains", "permit_naked_ip_address"};
  return neutral.count(r) > 0;
}

struct MapView {
  std::string type;
  std::string path;
  std::optional<AccessHit> hit;
  std::optional<AccessHit> domain_entry;  // the sender's exact domain key, in a fixed table
  std::string error;
  bool fixed() const { return type == "hash" || type == "texthash" || type == "lmdb" || type == "cdb" || type == "btree"; }
};

// What still rejects the sender in one restriction list.
struct Block {
  std::string reason;       // for the summary
  std::string restriction;  // "reject_rbl_client zen.spamhaus.org", empty when a table entry rejects
  std::string where;        // list name and the file:line that sets it
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
  if (!fixed && view.type != "regexp") {
    view.error = "table type '" + view.type + ":' of " + spec + " is not evaluated by this check (supported: hash, texthash, lmdb, cdb, btree, regexp, static, inline)";
    return view;
  }
  std::optional<std::string> text;
  try {
    text = fs.read_file_if_exists(view.path);
  } catch (const std::exception& e) {
    view.error = e.what();
    return view;
  }
  if (!text) {
    view.error = "table source " + view.path + " does not exist" +
                 (fixed && view.type != "texthash" ? " (only its compiled form can be there; this check reads the postmap source)" : "");
    return view;
  }
  if (fixed) {
    const AccessTable table = parse_access_table(*text, view.path);
    view.hit = lookup_fixed(table, keys);
    for (const AccessKey& k : keys) {
      if (k.partial && k.key.find('@') == std::string::npos) {  // the first domain key: the domain itself
        if (const AccessEntry* e = table.find(k.key)) view.domain_entry = AccessHit{e->key, e->value, e->line};
        break;
      }
    }
  } else {
    // Pattern tables are only asked the full address (smtpd_check.c: PARTIAL
    // lookups go to DICT_FLAG_FIXED tables only).
    if (auto hit = regexp_lookup(parse_regexp_table(*text, view.path), address)) {
      view.hit = AccessHit{address, hit->value, hit->line};
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
  if (target && !target->fixed() && target->type != "regexp") {
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
  if (m.type == "regexp") {
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
    steps.push_back("change line " + std::to_string(m.hit->line) + " of " + m.path + " (`" + m.hit->key + " " + m.hit->value +
                    "`) to `" + m.hit->key + " OK`" + postmap_hint(m));
  } else if (m.domain_entry) {
    steps.push_back("change line " + std::to_string(m.domain_entry->line) + " of " + m.path + " (`" + m.domain_entry->key + " " +
                    m.domain_entry->value + "`) to `" + ok_line + "`" + postmap_hint(m));
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
  const auto params = parse_main_cf(*main_text, &issues, kMainCf);
  std::map<std::string, std::string> values;
  for (const auto& [name, p] : params) values[name] = p.value;
  const auto param = [&](const std::string& name, std::string fallback) {
    auto it = values.find(name);
    return postfix_expand(it == values.end() ? fallback : it->second, values);
  };
  // Where each parameter's value comes from: main.cf, or a "-o" of the
  // smtpd that receives mail from the Internet in master.cf (master(5)).
  std::map<std::string, std::pair<std::string, int>> origin;
  for (const auto& [name, p] : params) origin[name] = {kMainCf, p.line};
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
        origin[name] = {kMasterCf, service.line};
      }
    }
  }
  const auto file_of = [&](const std::string& name) {
    auto it = origin.find(name);
    return it == origin.end() ? std::string(kMainCf) : it->second.first;
  };
  const auto line_of = [&](const std::string& name) -> std::optional<int> {
    auto it = origin.find(name);
    return it == origin.end() ? std::nullopt : std::optional<int>(it->second.second);
  };
  bool parent_style = false;
  for (const std::string& item : split_postfix_list(param("parent_domain_matches_subdomains",
                                                          std::string(kPostfixParentDomainDefault)))) {
    if (item == "smtpd_access_maps") parent_style = true;
  }
  const std::vector<AccessKey> keys =
      sender_access_keys(options.sender, parent_style, param("recipient_delimiter", ""));
  std::set<std::string> classes;
  for (const std::string& c : split_postfix_list(param("smtpd_restriction_classes", ""))) classes.insert(c);

  const std::string& addr = options.sender.address;
  std::vector<Block> blocked;
  std::vector<std::string> errors;
  std::optional<MapView> access_map;  // the first check_sender_access table, where the fix goes
  bool filtering = false;
  // One restriction list, with restriction classes expanded where they are
  // named (postconf(5) smtpd_restriction_classes: a class name stands for
  // its list; smtpd_check.c evaluates it in place, and its OK ends the
  // enclosing list as well). Returns true when the list is done (OK,
  // permit, or a rejection found).
  std::function<bool(const std::vector<std::string>&, const char*, const std::string&, int)> evaluate_list;
  evaluate_list = [&](const std::vector<std::string>& items, const char* list_name, const std::string& where, int depth) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string name = items[i];
      const std::string r = ascii_lower(name);
      const std::string arg = takes_argument(r) && i + 1 < items.size() ? items[++i] : std::string();
      if (classes.count(name) > 0) {
        const std::string class_where = "restriction class " + name + " (" + file_of(name) +
                                        (line_of(name) ? ":" + std::to_string(*line_of(name)) : std::string()) + "), named in " + where;
        filtering = true;
        if (depth >= 8) {
          errors.push_back("restriction class " + name + " nested deeper than 8 in " + where);
          verdict.evidence.push_back({file_of(name), line_of(name), "restriction class " + name + " nested too deep (a loop?)",
                                      "restriction classes that end"});
          return true;
        }
        verdict.evidence.push_back({file_of(name), line_of(name), "restriction class " + name + " = " + param(name, "") +
                                                                     " (expanded where " + where + " names it)",
                                    "information only"});
        if (evaluate_list(split_postfix_list(param(name, "")), list_name, class_where, depth + 1)) return true;
        continue;
      }
      if (r == "check_sender_access") {
        filtering = true;
        MapView view = look_up(fs, arg, keys, addr);
        if (!view.error.empty()) {
          errors.push_back(view.error + " in " + where);
          verdict.evidence.push_back({file_of(list_name), line_of(list_name), "check_sender_access " + arg + ": " + view.error, "a table this check can read"});
          return true;
        }
        if (!access_map) access_map = view;
        if (!view.hit) continue;
        const AccessAction action = classify_access_value(view.hit->value);
        Evidence e{view.path, view.hit->line > 0 ? std::optional<int>(view.hit->line) : std::nullopt,
                   view.hit->key + " " + view.hit->value + " (check_sender_access " + arg + " in " + where + ")",
                   "an OK entry for " + addr};
        verdict.evidence.push_back(e);
        if (action == AccessAction::accept) return true;  // OK: this list permits the sender
        if (action == AccessAction::reject) {
          blocked.push_back({arg + " answers \"" + view.hit->value + "\" for key " + view.hit->key + " in " + where, "", where, view});
          return true;
        }
        // access(5): a result that names a restriction class runs that class.
        const std::vector<std::string> result_words = split_ws(view.hit->value);
        if (!result_words.empty() && classes.count(result_words.front()) > 0 && depth < 8) {
          if (evaluate_list({result_words.front()}, list_name, where + ", via the table result at " + view.path + ":" +
                                                              std::to_string(view.hit->line), depth + 1)) {
            return true;
          }
        }
        continue;
      }
      if (r == "permit") return true;
      if (is_neutral(r)) continue;
      // Judged by what it rejects (postconf(5)): reject_non_fqdn_sender
      // rejects a MAIL FROM whose domain is not fully qualified; this
      // sender's domain is one, so it passes.
      if (r == "reject_non_fqdn_sender") {
        const bool fqdn = options.sender.domain.find('.') != std::string::npos && options.sender.domain.front() != '.' &&
                          options.sender.domain.back() != '.';
        verdict.evidence.push_back({file_of(list_name), line_of(list_name),
                                    name + " in " + where + (fqdn ? ": " + options.sender.domain + " is fully qualified, so it does not reject " + addr
                                                                  : ": rejects " + addr + " (domain not fully qualified)"),
                                    "a restriction that lets " + addr + " through"});
        if (fqdn) continue;
      }
      // Anything else may reject mail from this sender or its client: DNS
      // lists, reject_unknown_*, policy services (postgrey, SPF), client and
      // HELO tables, a bare reject.
      filtering = true;
      if (!takes_argument(r) && r.rfind("reject", 0) != 0 && r.rfind("defer", 0) != 0 && r.rfind("check_", 0) != 0) {
        verdict.evidence.push_back({file_of(list_name), line_of(list_name), name + " in " + where,
                                    "a restriction this check knows (treated as one that may reject)"});
      }
      const std::string restriction = arg.empty() ? name : name + " " + arg;
      blocked.push_back({restriction + " comes before any OK for the sender in " + where, restriction, where, std::nullopt});
      verdict.evidence.push_back({file_of(list_name), line_of(list_name), restriction + " in " + where,
                                  "check_sender_access with an OK for " + addr + " before it"});
      return true;
    }
    return false;
  };
  for (const char* list_name : kLists) {
    const std::string where = std::string(list_name) + " (" + file_of(list_name) +
                              (line_of(list_name) ? ":" + std::to_string(*line_of(list_name)) : std::string(", default")) + ")";
    evaluate_list(split_postfix_list(param(list_name, "")), list_name, where, 0);
  }
  for (const Evidence& issue : issues) verdict.evidence.push_back(issue);

  if (!filtering) {
    verdict.state = FilterState::not_filtering;
    verdict.summary = "Postfix applies no sender or spam restriction in its smtpd_*_restrictions";
    return verdict;
  }
  if (!blocked.empty()) {
    verdict.state = FilterState::not_whitelisted;
    verdict.summary = "Postfix may still reject " + addr + ": " + blocked.front().reason;
    verdict.remediation = "Postfix: " + postfix_remediation(blocked, access_map, options.sender);
    return verdict;
  }
  if (!errors.empty()) {
    verdict.state = FilterState::error;
    verdict.summary = "Postfix: " + errors.front();
    return verdict;
  }
  verdict.state = FilterState::whitelisted;
  verdict.summary = "Postfix accepts " + addr + ": no smtpd restriction rejects it before a check_sender_access OK";
  return verdict;
}

}  // namespace clinic_audit::antispam
