// Validates rendered reports with the real validators (DESIGN.md §6):
// xmllint against agent/schemas/report.xsd, Debian's python3-jsonschema
// against agent/schemas/report.schema.json, promtool for metrics.
// For the report tests and the agent's integration tests (ca_report_validation).
// Each returns "" when valid, else what the validator said.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace clinic_audit::testing {

// agent/schemas in the source tree.
std::filesystem::path report_schema_dir();

std::string validate_json_report_file(const std::filesystem::path& file);
std::string validate_xml_report_file(const std::filesystem::path& file);

// Same, for rendered bytes (written to a temporary file first).
std::string validate_json_report(std::string_view content);
std::string validate_xml_report(std::string_view content);

// xmllint against the JUnit schema of Jenkins' xUnit plugin
// (tests/data/junit/junit-10.xsd).
std::string validate_junit_report(std::string_view content);

// `promtool check metrics` (parse errors and lint problems both count).
// Needs /usr/bin/promtool (Debian package prometheus).
std::string validate_prometheus_metrics(std::string_view content);

}  // namespace clinic_audit::testing
