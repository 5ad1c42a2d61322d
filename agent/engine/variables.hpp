// Policy variables: `${name}` in defaults, parameters, titles and remediation.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/root_fs.hpp"
#include "config/site_config.hpp"
#include "policy/load_error.hpp"
#include "policy/policy.hpp"

namespace clinic_audit {

struct ResolvedVariable {
  std::string value;
  std::string origin;  // "default", "agent.conf", "discovered from FILE:LINE"
};
using VariableMap = std::map<std::string, ResolvedVariable, std::less<>>;

// Bounds on what expansion may produce (issue #20 item 4: a variable whose
// default repeats the previous one ten times, declared twenty times over, is
// 10^20 bytes). One expanded text is at most kMaxExpandedBytes; all the
// expansions of one plan together at most kMaxExpandedTotal. Past either, the
// text is cut and a LoadError names the file and line (exit 65).
inline constexpr std::size_t kMaxExpandedBytes = 64 * 1024;
inline constexpr std::size_t kMaxExpandedTotal = 16 * 1024 * 1024;

struct ExpansionBudget {
  std::size_t left = kMaxExpandedTotal;
  bool reported = false;  // the total was exceeded and said once
};

// Replaces every `${name}` with its value; `$${` stands for a literal `${`.
// An unknown or unterminated reference, or an expansion over the bounds
// above, is a LoadError at (file, line). `budget`, when given, is shared by
// all the expansions of a run.
std::string expand_variables(std::string_view text, const VariableMap& vars, const std::string& file, int line,
                             std::vector<LoadError>& errors, ExpansionBudget* budget = nullptr);

// Resolves a policy's variables in declaration order (a default may use the
// variables declared before it). Precedence, per DESIGN.md §3 and the seed's
// deployment: discovered on the host, else the site configuration, else the
// policy default.
VariableMap resolve_variables(const Policy& policy, const SiteConfig& config, const RootFs& fs,
                              std::vector<LoadError>& errors, ExpansionBudget* budget = nullptr);

}  // namespace clinic_audit
