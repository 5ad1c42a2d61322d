#include "foreach.hpp"

namespace clinic_audit {
namespace {

// policy.xsd, type identifier: [a-z0-9][a-z0-9._-]*, at most 128 characters.
bool is_identifier(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

std::size_t size_of(const CheckDecl& check) {
  std::size_t bytes =
      sizeof(CheckDecl) + check.id.size() + check.title.size() + check.rationale.size() + check.remediation.size();
  for (const auto& command : check.remediation_commands) bytes += sizeof(command) + command.text.size();
  for (const auto& condition : check.conditions) bytes += sizeof(condition) + condition.equals.size();
  for (const auto& param : check.params) bytes += sizeof(param) + param.name.size() + param.value.size();
  for (const auto& reference : check.references)
    bytes += sizeof(reference) + reference.seed.size() + reference.section.size();
  return bytes;
}

// Charges `bytes`; false (with one error for the policy) once spent.
bool charge(ForeachBudget& budget, std::size_t bytes, const std::string& file, int line, const ListDecl& list,
            std::vector<LoadError>& errors) {
  if (bytes <= budget.left) {
    budget.left -= bytes;
    return true;
  }
  budget.left = 0;
  if (!budget.reported) {
    budget.reported = true;
    errors.push_back({file, line,
                      "foreach over list '" + list.name + "' makes the policy's expanded checks exceed " +
                          std::to_string(kMaxForeachBytes) + " bytes: refused"});
  }
  return false;
}

}  // namespace

std::string substitute_loop_variable(std::string_view text, std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (std::size_t at = text.find("${"); at != std::string_view::npos; at = text.find("${", at)) {
    if (at > 0 && text[at - 1] == '$') {  // "$${" is a literal "${", not a reference (variables.hpp)
      at += 2;
      continue;
    }
    const std::string_view rest = text.substr(at + 2);
    if (rest.size() > name.size() && rest.substr(0, name.size()) == name && rest[name.size()] == '}') {
      out.append(text.substr(copied, at - copied));
      out.append(value);
      at += name.size() + 3;
      copied = at;
    } else {
      at += 2;
    }
  }
  out.append(text.substr(copied));
  return out;
}

std::vector<CheckDecl> expand_check(const CheckDecl& check, const std::string& var, const ListDecl& list,
                                    const std::string& file, ForeachBudget& budget, std::vector<LoadError>& errors) {
  std::vector<CheckDecl> out;
  auto sub = [&](const std::string& text, const std::string& item) {
    return substitute_loop_variable(text, var, item);
  };
  for (const auto& item : list.items) {
    // Charged before the copy is made: a refused expansion costs nothing.
    if (!charge(budget, size_of(check), file, check.line, list, errors)) break;
    CheckDecl copy = check;
    copy.id = sub(check.id, item);
    copy.title = sub(check.title, item);
    copy.rationale = sub(check.rationale, item);
    copy.remediation = sub(check.remediation, item);
    for (auto& command : copy.remediation_commands) command.text = sub(command.text, item);
    for (auto& condition : copy.conditions) condition.equals = sub(condition.equals, item);
    for (auto& param : copy.params) param.value = sub(param.value, item);
    if (!is_identifier(copy.id)) {
      errors.push_back({file, check.line,
                        "foreach over list '" + list.name + "' gives check id '" + copy.id +
                            "', not an identifier ([a-z0-9][a-z0-9._-]*, at most 128 characters)"});
      continue;
    }
    out.push_back(std::move(copy));
  }
  return out;
}

std::vector<RawParam> expand_param(const RawParam& param, const std::string& var, const ListDecl& list,
                                   const std::string& file, ForeachBudget& budget, std::vector<LoadError>& errors) {
  std::vector<RawParam> out;
  for (const auto& item : list.items) {
    if (!charge(budget, sizeof(RawParam) + param.name.size() + param.value.size() + item.size(), file, param.line, list,
                errors)) {
      break;
    }
    out.push_back({param.name, substitute_loop_variable(param.value, var, item), param.line});
  }
  return out;
}

}  // namespace clinic_audit
