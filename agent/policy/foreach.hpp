// `foreach` in policies (issue #19 item 2): a <check> or a <param> carrying
// foreach="VAR" in="LIST" stands for one copy per item of the policy's
// <list name="LIST">, with ${VAR} replaced by the item. The replacement is
// done when the policy is loaded, so that the plan, the reports, `list` and
// `explain` see ordinary checks with ordinary ids.
//
// Items are plain words (policy.xsd, type listItem: no '$', braces, quotes,
// blanks or shell metacharacters), so an item inserted into an id, a text, a
// parameter or a remediation command needs no quoting and cannot start a
// variable reference.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "load_error.hpp"
#include "policy.hpp"

namespace clinic_audit {

// What one policy's foreach expansions may produce in total (declaration
// text and parameters, counted in bytes): the same bound as the variable
// expansion of a run (engine/variables.hpp, kMaxExpandedTotal), so that a
// 4 MiB policy cannot multiply itself into gigabytes before it is planned.
inline constexpr std::size_t kMaxForeachBytes = 16 * 1024 * 1024;

struct ForeachBudget {
  std::size_t left = kMaxForeachBytes;
  bool reported = false;  // the bound was passed and said once
};

// `text` with every ${name} replaced by `value`; `$${` (a literal `${`) and
// references to other variables are left as they are.
std::string substitute_loop_variable(std::string_view text, std::string_view name, std::string_view value);

// One copy of `check` per item of `list`, ${var} replaced in its id, texts,
// conditions, parameters and commands. Copies whose id is not an identifier
// (policy.xsd) are errors at the check's line; so is going over `budget`.
std::vector<CheckDecl> expand_check(const CheckDecl& check, const std::string& var, const ListDecl& list,
                                    const std::string& file, ForeachBudget& budget, std::vector<LoadError>& errors);

// One parameter per item of `list` (the value with ${var} replaced).
std::vector<RawParam> expand_param(const RawParam& param, const std::string& var, const ListDecl& list,
                                   const std::string& file, ForeachBudget& budget, std::vector<LoadError>& errors);

}  // namespace clinic_audit
