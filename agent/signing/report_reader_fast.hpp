// A JSON report read straight into its content (issue #11 benchmark): one
// pass over the bytes that checks them against the shipped
// agent/schemas/report.schema.json and fills ReportContent, without
// building nlohmann's document (its allocations, the schema walk, the
// extraction and the evidence's serialisation were a fifth of the
// collector's CPU per report, perf).
//
// Like fast_json and report_schema_fast it answers only "sure" or "not
// sure": it returns the content only for a well-formed report (the same
// lexing rules as fast_json, duplicate keys and integers over 18 digits
// "not sure") that certainly satisfies the schema, exactly as
// report_certainly_valid() judges; everything else (nullopt) goes through
// parse_bounded_json, SchemaChecker::check_json and report_content_of,
// which decide and word the problems. When it answers, the content is the
// one report_content_of() gives (evidence_json byte for byte):
// ReportReaderFast.* and fuzz_report_reader compare the two on any bytes.
#pragma once

#include <optional>
#include <string_view>

#include "report_content.hpp"

namespace clinic_audit::signing {

std::optional<ReportContent> read_json_report_fast(std::string_view bytes);

}  // namespace clinic_audit::signing
