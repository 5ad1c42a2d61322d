#include "plan.hpp"

#include <set>

#include "i18n.hpp"
#include "registry.hpp"

namespace clinic_audit {

Plan build_plan(std::vector<Policy> policies, const SiteConfig& config, const RootFs& fs) {
  Plan plan;
  plan.policies = std::move(policies);
  std::vector<LoadError> errors;
  std::set<std::string> seen_policies;
  std::map<std::string, std::string> seen_checks;  // id -> policy file
  ExpansionBudget budget;                          // shared by every expansion of the run

  for (const auto& policy : plan.policies) {
    const std::string file = policy.file.string();
    if (!seen_policies.insert(policy.id).second) {
      errors.push_back({file, 0, "policy '" + policy.id + "' is loaded twice"});
      continue;
    }
    plan.variables.push_back(resolve_variables(policy, config, fs, errors, &budget));
  }
  if (!errors.empty()) throw LoadFailure(std::move(errors));

  for (std::size_t p = 0; p < plan.policies.size(); ++p) {
    const Policy& policy = plan.policies[p];
    const VariableMap& vars = plan.variables[p];
    const std::string file = policy.file.string();
    for (const auto& condition : policy.conditions) {
      if (vars.find(condition.variable) == vars.end()) {
        errors.push_back({file, condition.line, "applies-if names undeclared variable '" + condition.variable + "'"});
      }
    }
    for (const auto& decl : policy.checks) {
      if (auto [it, fresh] = seen_checks.emplace(decl.id, file); !fresh) {
        errors.push_back({file, decl.line, "check id '" + decl.id + "' is already used in " + it->second});
        continue;
      }
      PlannedCheck planned;
      planned.policy = &policy;
      planned.decl = &decl;
      planned.type = find_check_type(decl.type);
      if (planned.type == nullptr) {
        std::string known;
        for (const auto& type : check_types()) known += (known.empty() ? "" : ", ") + type.name;
        errors.push_back({file, decl.line, "unknown check type '" + decl.type + "' (known: " + known + ")"});
        continue;
      }
      planned.title = expand_variables(decl.title, vars, file, decl.line, errors, &budget);
      planned.rationale = expand_variables(decl.rationale, vars, file, decl.line, errors, &budget);
      planned.remediation = expand_variables(decl.remediation, vars, file, decl.line, errors, &budget);
      for (const auto& command : decl.remediation_commands) {
        std::string refused;
        auto expanded = expand_command(command.text, vars, file, command.line, errors, refused);
        if (expanded) {
          planned.remediation_commands.push_back(std::move(*expanded));
        } else if (!refused.empty() && planned.remediation_refused.empty()) {
          planned.remediation_refused = tr("A command of this remediation is {0}.", refused);
        }
      }

      for (const auto& raw : decl.params) planned.unknown_params.merge(unknown_inputs(raw.value, vars));
      // The policy's own conditions first (said once above when undeclared), then the check's.
      for (const auto* conditions : {&policy.conditions, &decl.conditions}) {
        for (const auto& condition : *conditions) {
          planned.unknown_conditions.merge(unknown_inputs("${" + condition.variable + "}", vars));
          auto it = vars.find(condition.variable);
          if (it == vars.end()) {
            if (conditions == &decl.conditions) {
              errors.push_back(
                  {file, condition.line, "applies-if names undeclared variable '" + condition.variable + "'"});
            }
          } else if (it->second.value != condition.equals && !planned.not_applicable_reason) {
            planned.not_applicable_reason = tr("applies only when {0} = {1} (it is '{2}', {3})", condition.variable,
                                               condition.equals, it->second.value, it->second.origin);
          }
        }
      }

      {
        std::string disputed = disputed_variable(decl.remediation, vars);
        for (const auto& raw : decl.params) {
          if (disputed.empty()) disputed = disputed_variable(raw.value, vars);
        }
        for (const auto& command : decl.remediation_commands) {
          if (disputed.empty()) disputed = disputed_variable(command.text, vars);
        }
        if (!disputed.empty()) {
          planned.commands_withheld = tr("No command is given: the sources on this machine disagree on {0} (see "
                                         "{1}.variable.{0}), so a command could act on the wrong path. Settle that "
                                         "first, then run the audit again.",
                                         disputed, policy.id);
        }
      }
      Params params;
      for (const auto& raw : decl.params) {
        params.add(raw.name, expand_variables(raw.value, vars, file, raw.line, errors, &budget), raw.line);
      }
      // A spent expansion budget leaves every later text empty, each with an
      // error of its own: the first error says it all.
      if (budget.reported) throw LoadFailure(std::move(errors));
      try {
        planned.check = planned.type->create(params);
        for (const auto& unknown : params.unread()) {
          errors.push_back(
              {file, params.line_of(unknown), "check type '" + decl.type + "' has no parameter '" + unknown + "'"});
        }
      } catch (const ParamError& e) {
        const int line = params.line_of(e.param()) > 0 ? params.line_of(e.param()) : decl.line;
        errors.push_back({file, line, "check '" + decl.id + "': " + e.what()});
      } catch (const std::exception& e) {
        errors.push_back({file, decl.line, "check '" + decl.id + "': " + e.what()});
      }
      if (planned.not_applicable_reason) planned.check.reset();
      plan.checks.push_back(std::move(planned));
    }
  }
  if (!errors.empty()) throw LoadFailure(std::move(errors));
  return plan;
}

}  // namespace clinic_audit
