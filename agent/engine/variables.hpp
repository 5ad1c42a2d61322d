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

// Replaces every `${name}` with its value; `$${` stands for a literal `${`.
// An unknown or unterminated reference is a LoadError at (file, line).
std::string expand_variables(std::string_view text, const VariableMap& vars, const std::string& file, int line,
                             std::vector<LoadError>& errors);

// Resolves a policy's variables in declaration order (a default may use the
// variables declared before it). Precedence, per DESIGN.md §3 and the seed's
// deployment: discovered on the host, else the site configuration, else the
// policy default.
VariableMap resolve_variables(const Policy& policy, const SiteConfig& config, const RootFs& fs,
                              std::vector<LoadError>& errors);

}  // namespace clinic_audit
