// Variables in the report (issue #17 item 1): where each value came from,
// and the sources that disagree or hold an implausible value, as findings.
#pragma once

#include <vector>

#include "plan.hpp"
#include "report/report.hpp"

namespace clinic_audit {

// One record per policy variable, in policy and declaration order.
std::vector<VariableRecord> variable_records(const Plan& plan);

// A `fail` result (type "discovery", id "<policy>.variable.<name>") for every
// variable that a source on the host sets to a value that was not used:
// implausible (not an absolute path free of shell syntax: possibly planted),
// or disagreeing with the value used. A variable shared by several policies
// with the same sources is reported once.
std::vector<ResultRecord> variable_findings(const Plan& plan);

}  // namespace clinic_audit
