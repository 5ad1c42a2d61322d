#include "suggest.hpp"
#include "i18n.hpp"

#include <unistd.h>

#include <algorithm>
#include <ostream>

namespace clinic_audit {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus the transposition of two
  // adjacent characters at cost 1 ("rnu" is one slip away from "run").
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    const std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), candidate.size()) / 3);
    const bool prefix = !word.empty() && candidate.starts_with(word);
    if (distance > limit && !prefix) continue;
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string typed_subcommand(int argc, char** argv, const std::vector<std::string>& options_with_value) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return i + 1 < argc ? argv[i + 1] : "";
    if (arg.starts_with("-")) {
      if (std::find(options_with_value.begin(), options_with_value.end(), arg) != options_with_value.end()) ++i;
      continue;
    }
    return std::string(arg);
  }
  return "";
}

bool check_policy_ids(const std::vector<std::string>& specs, const std::vector<std::string>& shipped,
                      std::ostream& err) {
  bool all_known = true;
  for (const auto& spec : specs) {
    // A path or a file name is loaded as given (DESIGN.md §6).
    if (spec.find('/') != std::string::npos || spec.ends_with(".xml")) continue;
    if (std::find(shipped.begin(), shipped.end(), spec) != shipped.end()) continue;
    all_known = false;
    err << tr("clinic-audit: unknown policy id '{0}'", spec);
    if (const auto suggestion = nearest(spec, shipped)) err << tr("; did you mean '{0}'?", *suggestion);
    err << ' ' << _("shipped policies:") << ' ';
    for (std::size_t i = 0; i < shipped.size(); ++i) err << (i ? ", " : "") << shipped[i];
    if (shipped.empty()) err << _("(none)");
    err << '\n';
  }
  return all_known;
}

}  // namespace clinic_audit

namespace clinic_audit {

bool known_subcommand(const std::string& typed, const std::vector<std::string>& names, std::ostream& err) {
  if (typed.empty() || std::find(names.begin(), names.end(), typed) != names.end()) return true;
  err << tr("clinic-audit: unknown command '{0}'", typed);
  if (const auto suggestion = nearest(typed, names)) err << tr("; did you mean '{0}'?", *suggestion);
  err << ' ' << _("commands:") << ' ';
  for (std::size_t i = 0; i < names.size(); ++i) err << (i ? ", " : "") << names[i];
  err << ' ' << _("(see clinic-audit --help)") << '\n';
  return false;
}

std::string default_trust_anchor(std::ostream& note) {
  const std::string ca = "/etc/clinic-audit/ca.crt";
  const std::string own = "/etc/clinic-audit/agent.crt";
  if (::access(ca.c_str(), F_OK) == 0 || ::access(own.c_str(), F_OK) != 0) {
    note << tr("clinic-audit: verify: trusting {0} (the regional CA; --ca to choose another)", ca) << '\n';
    return ca;
  }
  note << tr("clinic-audit: verify: trusting {0} (no {1}: this machine's own certificate; --ca to choose another)", own,
             ca)
       << '\n';
  return own;
}

}  // namespace clinic_audit
