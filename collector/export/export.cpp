#include "export.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report_content.hpp"

namespace clinic_audit::collector {
namespace {

using nlohmann::ordered_json;

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
  out << "\r\n";
}

std::string anomaly_list(Storage& storage, std::int64_t report) {
  std::string text;
  for (const auto& anomaly : storage.report_anomalies(report)) {
    text +=
        (text.empty() ? "" : "; ") + anomaly.kind + ": " + anomaly.detail + (anomaly.resolved_at ? " (resolved)" : "");
  }
  return text;
}

// The exact bytes and signature of `row`, beside each other.
void write_original(Storage& storage, const ReportRow& row, const std::string& dir) {
  const auto blob = storage.report_blob(row.id);
  if (!blob) return;
  std::filesystem::create_directories(dir);
  // machine-id and report id are checked shapes (hex, UUID): safe file names.
  const std::filesystem::path base = std::filesystem::path(dir) / (row.machine_id + "-" + std::to_string(row.sequence) +
                                                                   "-" + row.report_id + "." + row.format);
  std::ofstream(base, std::ios::binary) << blob->bytes;
  std::ofstream(base.string() + ".p7s", std::ios::binary) << blob->signature;
}

void export_history(Storage& storage, const ExportOptions& options, std::ostream& out) {
  static const std::vector<std::string> kHeader = {"report_id",  "machine_id",  "hostname", "sequence",
                                                   "started_at", "received_at", "chain",    "anomalies",
                                                   "pass",       "fail",        "error",    "not_applicable",
                                                   "waived",     "skipped"};
  ordered_json rows = ordered_json::array();
  if (options.format == ExportOptions::Format::csv) write_csv_row(out, kHeader);
  ReportQuery query;
  query.machine_id = options.machine_id;
  query.started_to = options.at;
  query.newest_first = false;
  query.limit = 10000;
  for (query.offset = 0;; query.offset += query.limit) {
    const auto page = storage.reports(query);
    for (const ReportRow& r : page) {
      if (options.originals_dir) write_original(storage, r, *options.originals_dir);
      const std::string anomalies = anomaly_list(storage, r.id);
      if (options.format == ExportOptions::Format::csv) {
        write_csv_row(out, {r.report_id, r.machine_id, r.hostname, std::to_string(r.sequence), utc_text(r.started_at),
                            utc_text(r.received_at), r.chain, anomalies, std::to_string(r.counts.pass),
                            std::to_string(r.counts.fail), std::to_string(r.counts.error),
                            std::to_string(r.counts.not_applicable), std::to_string(r.counts.waived),
                            std::to_string(r.counts.skipped)});
      } else {
        rows.push_back({{"report_id", r.report_id},
                        {"machine_id", r.machine_id},
                        {"hostname", r.hostname},
                        {"sequence", r.sequence},
                        {"started_at", utc_text(r.started_at)},
                        {"received_at", utc_text(r.received_at)},
                        {"chain", r.chain},
                        {"anomalies", anomalies},
                        {"pass", r.counts.pass},
                        {"fail", r.counts.fail},
                        {"error", r.counts.error},
                        {"not_applicable", r.counts.not_applicable},
                        {"waived", r.counts.waived},
                        {"skipped", r.counts.skipped}});
      }
    }
    if (page.size() < query.limit) break;
  }
  if (options.format == ExportOptions::Format::json)
    out << rows.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace

std::string csv_field(const std::string& value) {
  std::string text = value;
  // A cell a spreadsheet would read as a formula (OWASP CSV injection: = + -
  // @, and TAB and CR, which some strip before looking), as the dashboard's
  // CSV does (collector/dashboard/csv.cpp).
  if (!text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos) text = "'" + text;
  if (text.find_first_of(",\"\r\n") == std::string::npos && text == value) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string utc_text(std::int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::optional<std::int64_t> parse_date_arg(const std::string& text) {
  if (text.size() == 10) {
    if (auto start = signing::parse_rfc3339(text + "T23:59:59Z")) return start;
    return std::nullopt;
  }
  return signing::parse_rfc3339(text);
}

void run_export(Storage& storage, const ExportOptions& options, std::ostream& out) {
  if (options.history) return export_history(storage, options, out);
  static const std::vector<std::string> kHeader = {"machine_id", "hostname",    "site",   "report_id", "sequence",
                                                   "started_at", "received_at", "chain",  "check_id",  "policy_id",
                                                   "type",       "severity",    "status", "title",     "summary"};
  ordered_json rows = ordered_json::array();
  if (options.format == ExportOptions::Format::csv) write_csv_row(out, kHeader);
  for (const ReportRow& r : storage.latest_reports_at(options.at)) {
    if (options.machine_id && r.machine_id != *options.machine_id) continue;
    if (options.originals_dir) write_original(storage, r, *options.originals_dir);
    const auto host = storage.host(r.machine_id);
    const std::string site = host ? host->site : "";
    for (const ResultRow& result : storage.results(r.id)) {
      if (!options.policies.empty() &&
          std::find(options.policies.begin(), options.policies.end(), result.policy_id) == options.policies.end()) {
        continue;
      }
      if (options.format == ExportOptions::Format::csv) {
        write_csv_row(out, {r.machine_id, r.hostname, site, r.report_id, std::to_string(r.sequence),
                            utc_text(r.started_at), utc_text(r.received_at), r.chain, result.check_id, result.policy_id,
                            result.type, result.severity, result.status, result.title, result.summary});
      } else {
        rows.push_back({{"machine_id", r.machine_id},
                        {"hostname", r.hostname},
                        {"site", site},
                        {"report_id", r.report_id},
                        {"sequence", r.sequence},
                        {"started_at", utc_text(r.started_at)},
                        {"received_at", utc_text(r.received_at)},
                        {"chain", r.chain},
                        {"check_id", result.check_id},
                        {"policy_id", result.policy_id},
                        {"type", result.type},
                        {"severity", result.severity},
                        {"status", result.status},
                        {"title", result.title},
                        {"summary", result.summary}});
      }
    }
  }
  if (options.format == ExportOptions::Format::json)
    out << rows.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace clinic_audit::collector
