// The run plan: policies with their variables resolved and every check
// instantiated through the registry. Building it finds every policy problem
// (unknown check type, bad or unknown parameter, unknown variable, duplicate
// check id across policies) before anything runs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/check.hpp"
#include "config/site_config.hpp"
#include "policy/policy.hpp"
#include "variables.hpp"

namespace clinic_audit {

struct PlannedCheck {
  const Policy* policy = nullptr;
  const CheckDecl* decl = nullptr;
  const CheckType* type = nullptr;
  std::string title;  // variables expanded
  std::string rationale;
  std::string remediation;  // the policy's note
  // The policy's <command> lines, variables inserted as shell words; a
  // command refused for its values is left out and said in remediation_refused.
  std::vector<std::string> remediation_commands;
  std::string remediation_refused;
  // Set when the check uses a disputed variable: every command is withheld.
  std::string commands_withheld;
  // Variables its parameters (or applies-if conditions) use whose value is
  // not known, discovery having failed to read a file: the check is `error`
  // naming the files instead of running on a guess (issue #20 item 2).
  UnknownInputs unknown_params;
  UnknownInputs unknown_conditions;
  std::unique_ptr<Check> check;  // null when not applicable
  std::optional<std::string> not_applicable_reason;
};

struct Plan {
  std::vector<Policy> policies;        // owned here; PlannedCheck points into it
  std::vector<VariableMap> variables;  // per policy, same order
  std::vector<PlannedCheck> checks;
};

// Throws LoadFailure (exit 65) listing every problem.
Plan build_plan(std::vector<Policy> policies, const SiteConfig& config, const RootFs& fs);

}  // namespace clinic_audit
