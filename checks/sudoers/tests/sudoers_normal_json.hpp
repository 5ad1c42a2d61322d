// A common, flat form for comparing our parse with `cvtsudoers -f json`.
//
// cvtsudoers merges adjacent Cmnd_Specs that share Runas, options and tags
// into one "Commands" array, and merges consecutive Defaults that share a
// binding; both sides are therefore flattened to one row per command and one
// row per Defaults setting. Aliases are compared as name -> member list.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sudoers/sudoers_eval.hpp"
#include "sudoers/sudoers_includes.hpp"

namespace clinic_audit::sudoers::testing {

struct NormalForm {
  nlohmann::json user_specs = nlohmann::json::array();  // rows
  nlohmann::json defaults = nlohmann::json::array();    // rows
  nlohmann::json aliases = nlohmann::json::object();    // kind -> name -> members
};

// From our parse (every user spec, or only `specs` when given).
NormalForm normal_form(const SudoersTree& tree);
nlohmann::json user_spec_rows(const std::vector<const UserSpec*>& specs);

// From cvtsudoers' output. Its JSON writer emits a few options (runchroot,
// runcwd, SELinux role/type) as bare "key": value pairs inside arrays, which
// is not JSON; they are wrapped into objects first.
NormalForm normal_form_from_cvtsudoers(const std::string& output);
std::string repair_cvtsudoers_json(const std::string& output);

}  // namespace clinic_audit::sudoers::testing
