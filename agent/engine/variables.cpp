#include "variables.hpp"

#include "discovery.hpp"

namespace clinic_audit {

namespace {

// Charges `produced` bytes to the run's budget; false (and one error for the
// whole run) once it is spent.
bool charge(ExpansionBudget* budget, std::size_t produced, const std::string& file, int line,
            std::vector<LoadError>& errors) {
  if (budget == nullptr) return true;
  if (produced <= budget->left) {
    budget->left -= produced;
    return true;
  }
  budget->left = 0;
  if (!budget->reported) {
    budget->reported = true;
    errors.push_back({file, line, "variable expansion of the policies exceeds " + std::to_string(kMaxExpandedTotal) +
                                      " bytes in total here (nested ${...} references multiplying): refused"});
  }
  return false;
}

}  // namespace

std::string expand_variables(std::string_view text, const VariableMap& vars, const std::string& file, int line,
                             std::vector<LoadError>& errors, ExpansionBudget* budget) {
  std::string out;
  std::size_t i = 0;
  auto too_long = [&](std::size_t adding) {
    if (out.size() + adding <= kMaxExpandedBytes) return false;
    errors.push_back({file, line, "expanding the variables here gives more than " + std::to_string(kMaxExpandedBytes) +
                                      " bytes (nested ${...} references multiplying): refused"});
    return true;
  };
  if (budget != nullptr && budget->left == 0) {
    charge(budget, 1, file, line, errors);
    return {};
  }
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      errors.push_back({file, line, "unterminated variable reference '" + std::string(text.substr(i)) + "'"});
      return out;
    }
    const std::string_view name = text.substr(i + 2, close - i - 2);
    auto it = vars.find(name);
    if (it == vars.end()) {
      std::string known;
      for (const auto& [key, value] : vars) known += (known.empty() ? "" : ", ") + key;
      errors.push_back({file, line, "unknown variable ${" + std::string(name) + "} (declared: " +
                                        (known.empty() ? "none" : known) + ")"});
    } else {
      if (too_long(it->second.value.size())) return out;
      out += it->second.value;
    }
    i = close + 1;
  }
  if (too_long(0)) return out.substr(0, kMaxExpandedBytes);
  if (!charge(budget, out.size(), file, line, errors)) return {};
  return out;
}

VariableMap resolve_variables(const Policy& policy, const SiteConfig& config, const RootFs& fs,
                              std::vector<LoadError>& errors, ExpansionBudget* budget) {
  VariableMap vars;
  const std::string file = policy.file.string();
  for (const auto& decl : policy.variables) {
    ResolvedVariable resolved;
    for (const auto& how : decl.discover) {
      if (auto found = discover(fs, how)) {
        resolved = {found->value, "discovered from " + found->source};
        break;
      }
    }
    if (resolved.origin.empty()) {
      if (auto it = config.variables.find(decl.name); it != config.variables.end()) {
        resolved = {it->second, config.file.string()};
      } else {
        resolved = {expand_variables(decl.default_value, vars, file, decl.line, errors, budget), "default"};
      }
    }
    vars[decl.name] = std::move(resolved);
  }
  return vars;
}

}  // namespace clinic_audit
