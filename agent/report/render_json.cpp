#include "render_json.hpp"

#include <nlohmann/json.hpp>

#include "output_text.hpp"

namespace clinic_audit {
namespace {

using Json = nlohmann::ordered_json;

Json evidence_json(const Evidence& item) {
  Json out;
  out["path"] = item.path;
  out["line"] = item.line ? Json(*item.line) : Json(nullptr);
  out["observed"] = item.observed;
  out["expected"] = item.expected;
  return out;
}

Json result_json(const ResultRecord& result) {
  Json out;
  out["check_id"] = result.check_id;
  out["policy_id"] = result.policy_id;
  out["type"] = result.type;
  out["title"] = result.title;
  out["severity"] = std::string(to_string(result.severity));
  out["status"] = std::string(to_string(result.status));
  out["summary"] = result.summary;
  Json evidence = Json::array();
  for (const auto& item : result.evidence) evidence.push_back(evidence_json(item));
  out["evidence"] = std::move(evidence);
  out["remediation"] = result.remediation;
  Json commands = Json::array();
  for (const auto& command : result.remediation_commands) commands.push_back(command);
  out["remediation_commands"] = std::move(commands);
  out["duration_ms"] = result.duration_ms;
  // Only present when a waiver applied or expired: the reason an auditor
  // must see next to the result it changed.
  if (result.waiver_reason) out["waiver"] = *result.waiver_reason;
  return out;
}

}  // namespace

std::string render_json(const Report& input) {
  const Report report = report_output::normalized_for_output(input);
  Json root;
  root["schema"] = Report::kSchema;
  root["report_id"] = report.report_id;
  root["agent"]["version"] = report.agent_version;
  root["lang"] = report.lang;
  root["host"]["hostname"] = report.host.hostname;
  root["host"]["machine_id"] = report.host.machine_id;
  root["host"]["os_release"] = report.host.os_release;
  Json& run = root["run"];
  run["started_at"] = report.run.started_at;
  run["finished_at"] = report.run.finished_at;
  run["trigger"] = report.run.trigger;
  run["root"] = report.run.root;
  run["sequence"] = report.run.sequence;
  run["previous_sha256"] = report.run.previous_sha256 ? Json(*report.run.previous_sha256) : Json(nullptr);
  Json policies = Json::array();
  for (const auto& policy : report.policies) {
    policies.push_back(Json{{"id", policy.id}, {"version", policy.version}, {"sha256", policy.sha256}});
  }
  root["policies"] = std::move(policies);
  Json variables = Json::array();
  for (const auto& variable : report.variables) {
    Json item{{"policy_id", variable.policy_id},
              {"name", variable.name},
              {"value", variable.value},
              {"origin", variable.origin},
              {"source", variable.source}};
    Json others = Json::array();
    for (const auto& other : variable.other_sources) {
      Json o{{"value", other.value}, {"source", other.source}, {"kind", other.kind}, {"root_only", other.root_only}};
      if (!other.rejected_because.empty()) o["rejected_because"] = other.rejected_because;
      others.push_back(std::move(o));
    }
    item["other_sources"] = std::move(others);
    item["notes"] = variable.notes;
    variables.push_back(std::move(item));
  }
  root["variables"] = std::move(variables);
  Json results = Json::array();
  for (const auto& result : report.results) results.push_back(result_json(result));
  root["results"] = std::move(results);
  Json& summary = root["summary"];
  for (const auto& [status, count] : report.counts()) summary[std::string(to_string(status))] = count;
  summary["compliant"] = report.compliant();
  // Text is already valid UTF-8; `replace` only guarantees dump() cannot
  // throw type_error 316 should that ever change.
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace clinic_audit
