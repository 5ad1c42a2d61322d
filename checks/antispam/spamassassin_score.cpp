#include "spamassassin_score.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

namespace clinic_audit::antispam {
namespace {

std::string where(const SaSource& s) { return s.file + ":" + std::to_string(s.line); }

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// The 4.0 function names; the 3.x ones are aliases of them (WLBLEval.pm:
// "*check_from_in_whitelist = \&check_from_in_welcomelist").
std::string canonical_function(std::string name) {
  for (auto [from, to] :
       {std::pair<std::string_view, std::string_view>{"whitelist", "welcomelist"}, {"blacklist", "blocklist"}}) {
    const std::size_t at = name.find(from);
    if (at != std::string::npos) name.replace(at, from.size(), to);
  }
  return name;
}

std::optional<SaSource> first_match(const std::map<std::string, SaSource>& list, const std::string& address,
                                    std::string* pattern) {
  for (const auto& [p, source] : list) {
    if (sa_address_matches(p, address)) {
      if (pattern) *pattern = p;
      return source;
    }
  }
  return std::nullopt;
}

std::optional<SaSource> rcvd_match(const std::map<std::string, std::vector<SaRcvdEntry>>& list,
                                   const SenderOptions& options, std::string* pattern) {
  for (const auto& [p, entries] : list) {
    if (!sa_address_matches(p, options.sender.address)) continue;
    for (const SaRcvdEntry& entry : entries) {
      if (sa_relay_matches(entry.relay, options.relay, options.relay_ip)) {
        if (pattern) *pattern = p + " " + entry.relay;
        return entry.source;
      }
    }
  }
  return std::nullopt;
}

struct Firing {
  SaSource entry;
  std::string text;  // "welcomelist_from *@x at FILE:LINE"
  bool needs_authentication = false;
};

// Which eval functions return true for the sender, as WLBLEval.pm, SPF.pm
// and DKIM.pm decide (welcomelist_auth counts for SPF and for DKIM).
std::map<std::string, Firing> firing_functions(const SaConfig& c, const SenderOptions& o, bool spf, bool dkim) {
  std::map<std::string, Firing> out;
  const std::string& a = o.sender.address;
  std::string p;
  const auto note = [&](const char* fn, const char* directive, const SaSource& s, bool auth) {
    out[fn] = {s, std::string(directive) + " " + p + " at " + where(s), auth};
  };
  if (auto s = first_match(c.welcomelist_from, a, &p)) note("check_from_in_welcomelist", "welcomelist_from", *s, false);
  else if (auto r = rcvd_match(c.welcomelist_from_rcvd, o, &p))
    note("check_from_in_welcomelist", "welcomelist_from_rcvd", *r, false);
  if (auto r = rcvd_match(c.def_welcomelist_from_rcvd, o, &p)) {
    note("check_from_in_default_welcomelist", "def_welcomelist_from_rcvd", *r, false);
  }
  if (auto s = first_match(c.blocklist_from, a, &p)) note("check_from_in_blocklist", "blocklist_from", *s, false);
  if (spf) {
    if (auto s = first_match(c.welcomelist_from_spf, a, &p))
      note("check_for_spf_welcomelist_from", "welcomelist_from_spf", *s, true);
    else if (auto t = first_match(c.welcomelist_auth, a, &p))
      note("check_for_spf_welcomelist_from", "welcomelist_auth", *t, true);
    if (auto s = first_match(c.def_welcomelist_from_spf, a, &p))
      note("check_for_def_spf_welcomelist_from", "def_welcomelist_from_spf", *s, true);
    else if (auto t = first_match(c.def_welcomelist_auth, a, &p))
      note("check_for_def_spf_welcomelist_from", "def_welcomelist_auth", *t, true);
  }
  if (dkim) {
    if (auto s = first_match(c.welcomelist_from_dkim, a, &p))
      note("check_for_dkim_welcomelist_from", "welcomelist_from_dkim", *s, true);
    else if (auto t = first_match(c.welcomelist_auth, a, &p))
      note("check_for_dkim_welcomelist_from", "welcomelist_auth", *t, true);
    if (auto s = first_match(c.def_welcomelist_from_dkim, a, &p))
      note("check_for_def_dkim_welcomelist_from", "def_welcomelist_from_dkim", *s, true);
    else if (auto t = first_match(c.def_welcomelist_auth, a, &p))
      note("check_for_def_dkim_welcomelist_from", "def_welcomelist_auth", *t, true);
  }
  return out;
}

// The rule's score after every score line read, and which line decided it.
std::array<double, 4> effective_score(const std::string& name, const SaRule& rule, std::string* origin) {
  std::array<double, 4> score{};
  // Conf.pm: no score line -> 1.0, or 0.01 for a T_ rule in testing.
  score.fill(name.rfind("T_", 0) == 0 ? 0.01 : 1.0);
  std::optional<std::size_t> winner;
  for (std::size_t i = 0; i < rule.scores.size(); ++i) {
    if (!rule.scores[i].relative) winner = i;
  }
  if (!winner && rule.scores.empty()) {
    *origin = "no score line: SpamAssassin's default " + number(score[0]);
    return score;
  }
  std::string text;
  for (std::size_t i = 0; i < rule.scores.size(); ++i) {
    const SaScoreLine& line = rule.scores[i];
    if (winner && i < *winner) continue;
    for (std::size_t s = 0; s < 4; ++s) score[s] = line.relative ? score[s] + line.values[s] : line.values[s];
    text += (text.empty() ? "score " : ", then ") + sa_format_score(line.values) +
            (line.relative ? " (relative)" : "") + " at " + where(line.source);
  }
  if (winner && *winner > 0) {
    text += _(" (wins over ");
    for (std::size_t i = 0; i < *winner; ++i) {
      text += (i ? ", " : "") + sa_format_score(rule.scores[i].values) + " at " + where(rule.scores[i].source);
    }
    text += _(", read earlier: the last score line read wins)");
  }
  *origin = text;
  return score;
}

struct Scenario {
  std::array<double, 4> total{};
  std::vector<SaRuleHit> hits;
  std::vector<Evidence> lost;
};

Scenario evaluate(const SaConfig& config, const SenderOptions& options, bool spf, bool dkim) {
  Scenario out;
  const auto firing = firing_functions(config, options, spf, dkim);
  // hit[rule][set]: the rule fires and is enabled in that score set.
  std::map<std::string, std::array<bool, 4>> hit;
  std::map<std::string, bool> function_read;
  for (const auto& [name, rule] : config.rules) {
    if (rule.eval_function.empty()) continue;
    const std::string fn = canonical_function(rule.eval_function);
    auto it = firing.find(fn);
    if (it == firing.end()) continue;
    function_read[fn] = true;
    std::string origin;
    const auto score = effective_score(name, rule, &origin);
    std::array<bool, 4> on{};
    for (std::size_t s = 0; s < 4; ++s) on[s] = score[s] != 0.0;
    hit[name] = on;
    if (std::none_of(on.begin(), on.end(), [](bool b) { return b; })) {
      out.lost.push_back({it->second.entry.file, it->second.entry.line,
                          it->second.text + " makes " + name + " fire, but " + origin +
                              " disables it (a score of 0 stops the rule and every meta on it)",
                          name + " with its default weight"});
      continue;
    }
    SaRuleHit h{name,   it->second.entry,
                {},     it->second.text + " (rule defined at " + where(rule.defined) + ")",
                origin, it->second.needs_authentication};
    for (std::size_t s = 0; s < 4; ++s) h.score[s] = on[s] ? score[s] : 0.0;
    out.hits.push_back(std::move(h));
  }
  for (const auto& [fn, f] : firing) {
    if (!function_read.count(fn)) {
      out.lost.push_back({f.entry.file, f.entry.line,
                          f.text + " matches, but no rule calls " + fn +
                              "() (its plugin is not loaded, or the rule was removed or redefined)",
                          _("a rule reading the entry")});
    }
  }
  // Metas over one rule (the compatibility metas), to a fixed point: a meta
  // over a meta is allowed, a cycle simply never fires.
  for (int round = 0; round < 8; ++round) {
    bool changed = false;
    for (const auto& [name, rule] : config.rules) {
      if (rule.meta_dependency.empty() || hit.count(name)) continue;
      auto dep = hit.find(rule.meta_dependency);
      if (dep == hit.end()) continue;
      std::string origin;
      const auto score = effective_score(name, rule, &origin);
      std::array<bool, 4> on{};
      for (std::size_t s = 0; s < 4; ++s) on[s] = dep->second[s] && score[s] != 0.0;
      hit[name] = on;
      changed = true;
      if (std::none_of(on.begin(), on.end(), [](bool b) { return b; })) continue;
      SaRuleHit h{name,   rule.defined,
                  {},     "meta over " + rule.meta_dependency + " (defined at " + where(rule.defined) + ")",
                  origin, false};
      for (const SaRuleHit& d : out.hits) {
        if (d.rule == rule.meta_dependency) h.needs_authentication = d.needs_authentication;
      }
      for (std::size_t s = 0; s < 4; ++s) h.score[s] = on[s] ? score[s] : 0.0;
      out.hits.push_back(std::move(h));
    }
    if (!changed) break;
  }
  for (const SaRuleHit& h : out.hits) {
    for (std::size_t s = 0; s < 4; ++s) out.total[s] += h.score[s];
  }
  return out;
}

}  // namespace

std::string sa_format_score(const std::array<double, 4>& score) {
  if (score[0] == score[1] && score[1] == score[2] && score[2] == score[3]) return number(score[0]);
  return number(score[0]) + "/" + number(score[1]) + "/" + number(score[2]) + "/" + number(score[3]);
}

double SaWeight::worst() const { return *std::max_element(total.begin(), total.end()); }

SaWeight sa_weight(const SaConfig& config, const SenderOptions& options) {
  // authenticated: the site has verified that the sender's mail passes SPF
  // and DKIM at delivery (both plugins' rules may then fire).
  Scenario chosen = evaluate(config, options, options.authenticated, options.authenticated);
  SaWeight weight;
  weight.total = chosen.total;
  weight.hits = std::move(chosen.hits);
  weight.lost = std::move(chosen.lost);
  return weight;
}

}  // namespace clinic_audit::antispam
