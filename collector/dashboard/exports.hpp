// Exports of every list (issue #13 item 3): CSV (csv.hpp) or JSON, with the
// list's filters applied and the context a reader needs away from the
// dashboard: host, site, policy, check, severity, status, summary, evidence,
// report id and time.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "page_context.hpp"

namespace clinic_audit::dashboard {

struct ExportRow {
  std::string machine_id, hostname, site, policy_id, check_id, title, severity, status, summary, evidence_json,
      report_id;
  std::int64_t report_time = 0;
};

// Result rows of the latest report of each host in `hosts` (in that order),
// only `only_check`'s and `only_policy`'s when set: the list's filters
// applied to its export too (DESIGN §7).
std::vector<ExportRow> result_rows(FleetQueries& queries, const std::vector<const HostState*>& hosts,
                                   const std::string& only_check = {}, const std::string& only_policy = {});

WebResponse export_response(const std::string& format, const std::string& name, const std::vector<ExportRow>& rows);

// Any table as CSV/JSON (anomalies, history): header names are machine field
// names, never translated (DESIGN §10).
WebResponse export_table(const std::string& format, const std::string& name, const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::string>>& rows);

// JSON text for responses: invalid UTF-8 from a report is replaced, never a throw.
std::string dump_json(const nlohmann::json& value);

// Evidence array (JSON text) as one line: "path:line: observed (expected: ...)"; "; " between items.
std::string evidence_text(const std::string& evidence_json);

}  // namespace clinic_audit::dashboard
