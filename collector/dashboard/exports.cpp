#include "exports.hpp"

#include "csv.hpp"

namespace clinic_audit::dashboard {

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string evidence_text(const std::string& evidence_json) {
  const auto parsed = nlohmann::json::parse(evidence_json, nullptr, false);
  if (!parsed.is_array()) return evidence_json;
  std::string out;
  for (const auto& item : parsed) {
    if (!item.is_object()) continue;
    if (!out.empty()) out += "; ";
    const auto path = item.value("path", std::string{});
    if (!path.empty()) {
      out += path;
      if (item.contains("line") && item["line"].is_number_integer())
        out += ":" + std::to_string(item["line"].get<long long>());
      out += ": ";
    }
    out += item.value("observed", std::string{});
    const auto expected = item.value("expected", std::string{});
    if (!expected.empty()) out += " (expected: " + expected + ")";
  }
  return out;
}

std::vector<ExportRow> result_rows(FleetQueries& queries, const std::vector<const HostState*>& hosts,
                                   const std::string& only_check, const std::string& only_policy) {
  std::vector<ExportRow> rows;
  for (const HostState* host : hosts) {
    if (!host->report) continue;
    for (auto& result : queries.results(*host->report)) {
      if (!only_check.empty() && result.check_id != only_check) continue;
      if (!only_policy.empty() && result.policy_id != only_policy) continue;
      rows.push_back({host->machine_id, host->hostname, host->site, result.policy_id, result.check_id, result.title,
                      result.severity, result.status, result.summary, result.evidence_json, host->report_id,
                      host->started_at});
    }
  }
  return rows;
}

WebResponse export_response(const std::string& format, const std::string& name, const std::vector<ExportRow>& rows) {
  std::vector<std::string> columns = {"machine_id", "hostname", "site",    "policy_id", "check_id",  "title",
                                      "severity",   "status",   "summary", "evidence",  "report_id", "report_time"};
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : rows) {
      auto evidence = nlohmann::json::parse(row.evidence_json, nullptr, false);
      if (evidence.is_discarded()) evidence = row.evidence_json;
      out.push_back({{"machine_id", row.machine_id},
                     {"hostname", row.hostname},
                     {"site", row.site},
                     {"policy_id", row.policy_id},
                     {"check_id", row.check_id},
                     {"title", row.title},
                     {"severity", row.severity},
                     {"status", row.status},
                     {"summary", row.summary},
                     {"evidence", evidence},
                     {"report_id", row.report_id},
                     {"report_time", format_time(row.report_time)}});
    }
    WebResponse response;
    response.set("Content-Type", "application/json");
    response.set("Content-Disposition", "attachment; filename=\"" + name + ".json\"");
    response.body = dump_json(out);
    return response;
  }
  std::vector<std::vector<std::string>> table;
  table.reserve(rows.size());
  for (const auto& row : rows) {
    table.push_back({row.machine_id, row.hostname, row.site, row.policy_id, row.check_id, row.title, row.severity,
                     row.status, row.summary, evidence_text(row.evidence_json), row.report_id,
                     format_time(row.report_time)});
  }
  return export_table("csv", name, columns, table);
}

WebResponse export_table(const std::string& format, const std::string& name, const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::string>>& rows) {
  WebResponse response;
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : rows) {
      nlohmann::json item = nlohmann::json::object();
      for (std::size_t i = 0; i < columns.size() && i < row.size(); ++i) item[columns[i]] = row[i];
      out.push_back(std::move(item));
    }
    response.set("Content-Type", "application/json");
    response.set("Content-Disposition", "attachment; filename=\"" + name + ".json\"");
    response.body = dump_json(out);
    return response;
  }
  response.set("Content-Type", "text/csv; charset=utf-8");
  response.set("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  response.body = csv_row(columns);
  for (const auto& row : rows) response.body += csv_row(row);
  return response;
}

}  // namespace clinic_audit::dashboard
