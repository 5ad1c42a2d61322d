// A hand-written accept path for agent/schemas/report.schema.json (issue
// #11 benchmark: valijson's walk was 13 % of the collector's CPU per
// report). It answers only "certainly valid" or "not sure": on "not sure"
// the caller runs valijson, which decides and words the problems. So it
// never refuses a report and never words a message; it may only accept
// what valijson accepts, which `ReportSchemaFast.*` checks against valijson
// on a corpus of valid reports and thousands of mutations of them.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace clinic_audit::signing {

// SHA-256 of the schema document this validator was written for, as
// nlohmann::json::dump() of the parsed schema (formatting-independent).
// SchemaChecker uses the accept path only for a schema with this digest:
// a changed or another schema goes through valijson alone.
extern const std::string_view kReportSchemaFastDigest;

// True only when `document` satisfies report.schema.json (draft 7), as
// valijson with the nlohmann adapter judges it. False: not sure.
bool report_certainly_valid(const nlohmann::json& document);

}  // namespace clinic_audit::signing
