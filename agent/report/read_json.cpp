#include "read_json.hpp"
#include "common/json_depth.hpp"

#include <nlohmann/json.hpp>

namespace clinic_audit {
namespace {

using Json = nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ReportReadError(origin_ + ": " + where + ": " + what);
  }

  const Json& member(const Json& object, const std::string& where, const char* key) const {
    if (!object.is_object()) fail(where, "not an object");
    const auto it = object.find(key);
    if (it == object.end()) fail(where.empty() ? key : where + "." + key, "missing");
    return *it;
  }

  std::string text(const Json& object, const std::string& where, const char* key) const {
    const Json& value = member(object, where, key);
    if (!value.is_string()) fail(where.empty() ? key : where + "." + key, "not a string");
    return value.get<std::string>();
  }

  template <typename T>
  T number(const Json& object, const std::string& where, const char* key) const {
    const Json& value = member(object, where, key);
    if (!value.is_number()) fail(where.empty() ? key : where + "." + key, "not a number");
    if constexpr (std::is_integral_v<T>) {
      if (!value.is_number_integer()) fail(where + "." + key, "not an integer");
      if (std::is_unsigned_v<T> && value.is_number_integer() && !value.is_number_unsigned()) {
        fail(where + "." + key, "negative");
      }
    }
    return value.get<T>();
  }

  Evidence evidence(const Json& item, const std::string& where) const {
    Evidence e;
    e.path = text(item, where, "path");
    const Json& line = member(item, where, "line");
    if (!line.is_null()) {
      if (!line.is_number_integer()) fail(where + ".line", "not an integer");
      const auto value = line.get<std::int64_t>();
      if (value < 0 || value > std::numeric_limits<int>::max()) fail(where + ".line", "out of range");
      e.line = static_cast<int>(value);
    }
    e.observed = text(item, where, "observed");
    e.expected = text(item, where, "expected");
    return e;
  }

  ResultRecord result(const Json& item, const std::string& where) const {
    ResultRecord r;
    r.check_id = text(item, where, "check_id");
    r.policy_id = text(item, where, "policy_id");
    r.type = text(item, where, "type");
    r.title = text(item, where, "title");
    const std::string severity = text(item, where, "severity");
    const auto parsed_severity = parse_severity(severity);
    if (!parsed_severity) fail(where + ".severity", "unknown severity '" + severity + "'");
    r.severity = *parsed_severity;
    const std::string status = text(item, where, "status");
    const auto parsed_status = parse_status(status);
    if (!parsed_status) fail(where + ".status", "unknown status '" + status + "'");
    r.status = *parsed_status;
    r.summary = text(item, where, "summary");
    const Json& evidence_list = member(item, where, "evidence");
    if (!evidence_list.is_array()) fail(where + ".evidence", "not an array");
    for (std::size_t i = 0; i < evidence_list.size(); ++i) {
      r.evidence.push_back(evidence(evidence_list[i], where + ".evidence[" + std::to_string(i) + "]"));
    }
    r.remediation = text(item, where, "remediation");
    r.duration_ms = number<std::int64_t>(item, where, "duration_ms");
    if (item.contains("waiver")) r.waiver_reason = text(item, where, "waiver");
    return r;
  }

  Report report(const Json& root) const {
    if (!root.is_object()) fail("(document)", "not a JSON object");
    const std::string schema = text(root, "", "schema");
    if (schema != Report::kSchema) fail("schema", "'" + schema + "', expected '" + Report::kSchema + "'");
    Report report;
    report.report_id = text(root, "", "report_id");
    report.agent_version = text(member(root, "", "agent"), "agent", "version");
    // Only the schema's values: anything else (or none: an older report) is English.
    if (root.contains("lang") && root["lang"] == "fr") report.lang = "fr";
    const Json& host = member(root, "", "host");
    report.host.hostname = text(host, "host", "hostname");
    report.host.machine_id = text(host, "host", "machine_id");
    report.host.os_release = text(host, "host", "os_release");
    const Json& run = member(root, "", "run");
    report.run.started_at = text(run, "run", "started_at");
    report.run.finished_at = text(run, "run", "finished_at");
    report.run.trigger = text(run, "run", "trigger");
    report.run.root = text(run, "run", "root");
    report.run.sequence = number<std::uint64_t>(run, "run", "sequence");
    const Json& previous = member(run, "run", "previous_sha256");
    if (!previous.is_null()) report.run.previous_sha256 = text(run, "run", "previous_sha256");
    const Json& policies = member(root, "", "policies");
    if (!policies.is_array()) fail("policies", "not an array");
    for (std::size_t i = 0; i < policies.size(); ++i) {
      const std::string where = "policies[" + std::to_string(i) + "]";
      report.policies.push_back(
          {text(policies[i], where, "id"), text(policies[i], where, "version"), text(policies[i], where, "sha256"), {}});
    }
    const Json& results = member(root, "", "results");
    if (!results.is_array()) fail("results", "not an array");
    for (std::size_t i = 0; i < results.size(); ++i) {
      report.results.push_back(result(results[i], "results[" + std::to_string(i) + "]"));
    }
    return report;
  }

 private:
  std::string origin_;
};

}  // namespace

Report read_json_report(std::string_view text, const std::string& origin) {
  Json root;
  try {
    root = Json::parse(text.begin(), text.end(), json_depth_guard());
  } catch (const JsonTooDeep& e) {
    throw ReportReadError(origin + ": not a report: " + e.what());
  } catch (const Json::parse_error& e) {
    throw ReportReadError(origin + ": not JSON: " + e.what());
  }
  try {
    return Reader(origin).report(root);
  } catch (const Json::exception& e) {
    throw ReportReadError(origin + ": " + e.what());
  }
}

}  // namespace clinic_audit
