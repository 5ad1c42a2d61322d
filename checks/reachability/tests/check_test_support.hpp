// Runs the `reachability` check type as the pipeline does: parameters from a
// policy, a Context with the run's network settings.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/check.hpp"

namespace clinic_audit::reachability::testing {

using ParamList = std::vector<std::pair<std::string, std::string>>;

Params make_params(const ParamList& list);
Outcome run_check(const ParamList& params, NetworkSettings network = {});
// Every evidence line and the summary and remediation, for substring assertions.
std::string all_text(const Outcome& outcome);

}  // namespace clinic_audit::reachability::testing
