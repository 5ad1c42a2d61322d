#include "variables.hpp"

#include "discovery.hpp"

namespace clinic_audit {

std::string expand_variables(std::string_view text, const VariableMap& vars, const std::string& file, int line,
                             std::vector<LoadError>& errors) {
  std::string out;
  std::size_t i = 0;
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
      out += it->second.value;
    }
    i = close + 1;
  }
  return out;
}

VariableMap resolve_variables(const Policy& policy, const SiteConfig& config, const RootFs& fs,
                              std::vector<LoadError>& errors) {
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
        resolved = {expand_variables(decl.default_value, vars, file, decl.line, errors), "default"};
      }
    }
    vars[decl.name] = std::move(resolved);
  }
  return vars;
}

}  // namespace clinic_audit
