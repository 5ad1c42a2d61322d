// `clinic-audit-collector export` (DESIGN.md §7, issue #11 item 9).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "storage.hpp"

namespace clinic_audit::collector {

struct ExportOptions {
  enum class Format { csv, json } format = Format::csv;
  std::int64_t at = 0;                // each host's latest report at or before (default now)
  std::vector<std::string> policies;  // only results of these policies (empty: all)
  std::optional<std::string> machine_id;
  bool history = false;  // one row per stored report instead
  // Also write the selected reports' exact bytes and signatures there
  // (MACHINE_ID-SEQUENCE-REPORT_ID.json|xml and .p7s), for
  // `openssl cms -verify` (issue #11 item 6).
  std::optional<std::string> originals_dir;
};

// Without history: one row per host and check of each host's latest report
// at or before `at` (machine_id, hostname, site, report_id, sequence,
// started_at, received_at, chain, check_id, policy_id, type, severity,
// status, title, summary). With history: one row per stored report
// (report_id, machine_id, hostname, sequence, started_at, received_at,
// chain, anomalies, counts per status).
void run_export(Storage& storage, const ExportOptions& options, std::ostream& out);

// RFC 4180 field quoting; a field starting with = + - @ is prefixed with '
// so that a spreadsheet does not run it as a formula (OWASP CSV injection).
std::string csv_field(const std::string& value);
// "2026-11-22T15:04:05Z"
std::string utc_text(std::int64_t seconds);
// YYYY-MM-DD (end of that day, UTC) or an RFC 3339 time; nullopt otherwise.
std::optional<std::int64_t> parse_date_arg(const std::string& text);

}  // namespace clinic_audit::collector
