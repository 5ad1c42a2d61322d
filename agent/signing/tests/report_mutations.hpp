// Reports to spoil, shared by the differential tests of the fast paths
// (report_schema_fast_test.cpp, report_reader_fast_test.cpp): the agent's
// own reports, one using every member the schema knows, and every way of
// spoiling one value that the schema's keywords can see.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clinic_audit::signing::test {

// A report using every member the schema knows (JSON text).
std::string rich_report();
// Two reports the agent's renderer writes and rich_report(), parsed.
std::vector<nlohmann::json> corpus();
// Values to put in place of `value`.
std::vector<nlohmann::json> replacements(const nlohmann::json& value);
// Calls `each` with every mutation of `root`: each value replaced, each
// member removed, an unknown member added to each object, each array
// emptied and given an extra copy of its first item.
void mutations(nlohmann::json& root, nlohmann::json& node, const std::function<void(const nlohmann::json&)>& each);

}  // namespace clinic_audit::signing::test
