#include "variables.hpp"

#include <algorithm>

#include "common/shell_quote.hpp"

namespace clinic_audit {
namespace {

// Finds the variable named at text[i] ("${" already seen). Returns the
// position after '}' or npos (error recorded).
const ResolvedVariable* lookup(std::string_view text, std::size_t i, std::size_t& next, const VariableMap& vars,
                               const std::string& file, int line, std::vector<LoadError>& errors) {
  const std::size_t close = text.find('}', i + 2);
  if (close == std::string_view::npos) {
    errors.push_back({file, line, "unterminated variable reference '" + std::string(text.substr(i)) + "'"});
    next = std::string_view::npos;
    return nullptr;
  }
  next = close + 1;
  const std::string_view name = text.substr(i + 2, close - i - 2);
  auto it = vars.find(name);
  if (it != vars.end()) return &it->second;
  std::string known;
  for (const auto& [key, value] : vars) known += (known.empty() ? "" : ", ") + key;
  errors.push_back(
      {file, line,
       "unknown variable ${" + std::string(name) + "} (declared: " + (known.empty() ? "none" : known) + ")"});
  return nullptr;
}

bool has_control(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

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
    errors.push_back({file, line,
                      "variable expansion of the policies exceeds " + std::to_string(kMaxExpandedTotal) +
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
    errors.push_back({file, line,
                      "expanding the variables here gives more than " + std::to_string(kMaxExpandedBytes) +
                          " bytes (nested ${...} references multiplying): refused"});
    return true;
  };
  if (budget != nullptr && budget->left == 0) {
    charge(budget, 1, file, line, errors);
    return {};
  }
  while (i < text.size()) {
    // Text up to the next '$' is copied as one piece (rationales and notes
    // are long and mostly plain: issue #19 item 5).
    const std::size_t dollar = std::min(text.find('$', i), text.size());
    out.append(text.substr(i, dollar - i));
    i = dollar;
    if (i == text.size()) break;
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    std::size_t next = 0;
    if (const auto* var = lookup(text, i, next, vars, file, line, errors)) {
      if (too_long(var->value.size())) return out;
      out += var->value;
    }
    if (next == std::string_view::npos) return out;
    i = next;
  }
  if (too_long(0)) return out.substr(0, kMaxExpandedBytes);
  if (!charge(budget, out.size(), file, line, errors)) return {};
  return out;
}

std::optional<std::string> expand_command(std::string_view text, const VariableMap& vars, const std::string& file,
                                          int line, std::vector<LoadError>& errors, std::string& refused) {
  std::string out;
  char quote = 0;  // ' or " while inside quotes of the template
  bool ok = true;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (quote == 0 && c == '\\' && i + 1 < text.size()) {
      out += text.substr(i, 2);
      i += 2;
      continue;
    }
    if (quote == '"' && c == '\\' && i + 1 < text.size()) {
      out += text.substr(i, 2);
      i += 2;
      continue;
    }
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") == 0) {
      std::size_t next = 0;
      const auto* var = lookup(text, i, next, vars, file, line, errors);
      if (next == std::string_view::npos) return std::nullopt;
      if (quote != 0) {
        errors.push_back({file, line,
                          "variable reference inside " + std::string(1, quote) +
                              "quotes in a remediation command: put it outside the quotes (it is "
                              "inserted as one quoted shell word)"});
        ok = false;
      } else if (var != nullptr) {
        if (has_control(var->value)) {
          refused = "not given: the value of a variable it uses holds a control character (" +
                    escape_control(var->value) + ", " + var->origin + ")";
          ok = false;
        } else {
          out += shell_word(var->value);
        }
      }
      i = next;
      continue;
    }
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (quote == c) {
      quote = 0;
    }
    out += c;
    ++i;
  }
  if (quote != 0) {
    errors.push_back({file, line, std::string("unterminated ") + quote + " quote in a remediation command"});
    ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

namespace {

// Chooses among discovered values: plausible ones only; a root-only source
// first; then discovery order. The others are kept as agreeing or rejected.
std::optional<ResolvedVariable> choose(std::vector<Discovered> found, std::vector<std::string> notes) {
  ResolvedVariable resolved;
  resolved.notes = std::move(notes);
  std::vector<Discovered> plausible;
  for (auto& d : found) {
    if (auto why = implausible_path(d.value)) {
      resolved.rejected.push_back({std::move(d), "not a plausible absolute path (" + *why + ")"});
    } else {
      plausible.push_back(std::move(d));
    }
  }
  if (plausible.empty()) {
    if (resolved.rejected.empty()) return std::nullopt;
    // Only rejected values: the caller falls back, keeping the rejections.
    resolved.origin_kind.clear();
    return resolved;
  }
  std::size_t best = 0;
  for (std::size_t k = 0; k < plausible.size(); ++k) {
    if (plausible[k].root_only && !plausible[best].root_only) best = k;
  }
  const Discovered& chosen = plausible[best];
  resolved.value = chosen.value;
  resolved.origin = "discovered from " + chosen.source;
  resolved.origin_kind = "discovered";
  resolved.source =
      chosen.source + " (" + chosen.kind + (chosen.root_only ? ", only root can change it" : ", not root-only") + ")";
  for (std::size_t k = 0; k < plausible.size(); ++k) {
    if (k == best) continue;
    if (plausible[k].value == chosen.value) {
      resolved.agreeing.push_back(plausible[k]);
    } else {
      resolved.disputed = true;
      std::string reason = "disagrees with " + chosen.source;
      if (chosen.root_only && !plausible[k].root_only) reason += ", which only root can change (this source is not)";
      resolved.rejected.push_back({plausible[k], reason});
    }
  }
  return resolved;
}

}  // namespace

void UnknownInputs::merge(const UnknownInputs& other) {
  for (const auto& name : other.variables) {
    if (std::find(variables.begin(), variables.end(), name) == variables.end()) variables.push_back(name);
  }
  for (const auto& file : other.files) {
    const bool seen = std::any_of(files.begin(), files.end(),
                                  [&](const UnreadFile& f) { return f.path == file.path && f.reason == file.reason; });
    if (!seen) files.push_back(file);
  }
}

UnknownInputs unknown_inputs(std::string_view text, const VariableMap& vars) {
  UnknownInputs out;
  for (const auto& [name, value] : vars) {
    if (value.unread.empty() || text.find("${" + name + "}") == std::string_view::npos) continue;
    UnknownInputs one;
    one.variables.push_back(name);
    one.files = value.unread;
    out.merge(one);
  }
  return out;
}

std::string disputed_variable(std::string_view text, const VariableMap& vars) {
  for (const auto& [name, value] : vars) {
    if (value.disputed && text.find("${" + name + "}") != std::string_view::npos) return name;
  }
  return {};
}

VariableMap resolve_variables(const Policy& policy, const SiteConfig& config, const RootFs& fs,
                              std::vector<LoadError>& errors, ExpansionBudget* budget) {
  VariableMap vars;
  const std::string file = policy.file.string();
  for (const auto& decl : policy.variables) {
    std::vector<Discovered> found;
    std::vector<std::string> notes;
    UnknownInputs unread;
    for (const auto& how : decl.discover) {
      auto findings = discover(fs, how);
      for (auto& d : findings.values) found.push_back(std::move(d));
      for (auto& n : findings.notes) notes.push_back(std::move(n));
      UnknownInputs own;
      own.variables.push_back(decl.name);
      own.files = std::move(findings.unread);
      if (!own.files.empty()) unread.merge(own);
    }
    ResolvedVariable resolved;
    if (auto chosen = choose(std::move(found), std::move(notes))) {
      resolved = std::move(*chosen);
    } else {
      resolved.notes = std::move(notes);
    }
    if (resolved.origin_kind.empty()) {
      if (auto it = config.variables.find(decl.name); it != config.variables.end()) {
        resolved.value = it->second;
        resolved.origin = config.file.string();
        resolved.origin_kind = "site configuration";
        resolved.source = config.file.string();
      } else {
        resolved.value = expand_variables(decl.default_value, vars, file, decl.line, errors, budget);
        resolved.disputed = !disputed_variable(decl.default_value, vars).empty();
        unread.merge(unknown_inputs(decl.default_value, vars));
        resolved.origin = "default";
        resolved.origin_kind = "policy default";
        resolved.source = file + ":" + std::to_string(decl.line);
      }
    }
    resolved.unread = std::move(unread.files);
    vars[decl.name] = std::move(resolved);
  }
  return vars;
}

}  // namespace clinic_audit
