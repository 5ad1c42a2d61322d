// The content of a JSON or XML report (DESIGN.md §6) as `verify` and the
// collector need it: who (host), which run (sequence, previous hash, start
// time), and the results. Parsed from bytes in memory; nothing is fetched,
// no entity is expanded.
#pragma once

struct _xmlDoc;  // libxml2's xmlDoc

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::signing {

enum class ReportFormat { json, xml };
const char* to_string(ReportFormat format);

// JSON when the first character (after a UTF-8 BOM and white space) is '{',
// XML when it is '<'; nullopt otherwise.
std::optional<ReportFormat> sniff_report_format(std::string_view bytes);

struct ReportResultContent {
  std::string check_id, policy_id, type, title, severity, status, summary, remediation;
  std::string evidence_json;  // the evidence items as a JSON array [{path, line, observed, expected}]
};

struct ReportContent {
  ReportFormat format = ReportFormat::json;
  std::string report_id;
  std::string hostname;
  std::string machine_id;
  std::string started_at;  // RFC 3339 as written
  std::uint64_t sequence = 0;
  std::optional<std::string> previous_sha256;
  std::vector<ReportResultContent> results;
  std::map<std::string, int> counts;  // summary: status -> count
  bool compliant = false;
};

// Throws std::runtime_error naming the first missing or ill-typed field
// ("host.machine_id is missing", "not well-formed JSON at byte 12", ...).
ReportContent parse_report_content(std::string_view bytes, ReportFormat format);

// The same from a document already parsed (verify_report parses a report
// once for its schema check and its content). Throws as above.
ReportContent report_content_of(const nlohmann::json& document);
ReportContent report_content_of(_xmlDoc* document);

// Seconds since the epoch of an RFC 3339 UTC timestamp ("2026-11-22T15:04:05Z",
// fractional seconds and numeric offsets accepted); nullopt if it is not one.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace clinic_audit::signing
