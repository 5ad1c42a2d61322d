#include "render_xml.hpp"

#include <pugixml.hpp>

#include "output_text.hpp"
#include "xml_writer.hpp"

namespace clinic_audit {
namespace {

void text_child(pugi::xml_node parent, const char* name, const std::string& text) {
  auto node = parent.append_child(name);
  if (!text.empty()) node.text().set(text.c_str());
}

void attribute(pugi::xml_node node, const char* name, const std::string& value) {
  node.append_attribute(name).set_value(value.c_str());
}

void append_result(pugi::xml_node results, const ResultRecord& result) {
  auto node = results.append_child("result");
  attribute(node, "check_id", result.check_id);
  attribute(node, "policy_id", result.policy_id);
  attribute(node, "type", result.type);
  attribute(node, "severity", std::string(to_string(result.severity)));
  attribute(node, "status", std::string(to_string(result.status)));
  node.append_attribute("duration_ms").set_value(static_cast<long long>(result.duration_ms));
  text_child(node, "title", result.title);
  text_child(node, "summary", result.summary);
  for (const auto& item : result.evidence) {
    auto evidence = node.append_child("evidence");
    attribute(evidence, "path", item.path);
    if (item.line) evidence.append_attribute("line").set_value(*item.line);
    text_child(evidence, "observed", item.observed);
    text_child(evidence, "expected", item.expected);
  }
  for (const auto& command : result.remediation_commands) text_child(node, "command", command);
  text_child(node, "remediation", result.remediation);
  if (result.waiver_reason) text_child(node, "waiver", *result.waiver_reason);
}

}  // namespace

std::string render_xml(const Report& input) {
  const Report report = report_output::normalized_for_output(input);
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("UTF-8");

  auto root = doc.append_child("report");
  root.append_attribute("xmlns").set_value(kReportXmlNamespace);
  root.append_attribute("schema").set_value(Report::kSchema);
  attribute(root, "report_id", report.report_id);
  attribute(root, "lang", report.lang);

  attribute(root.append_child("agent"), "version", report.agent_version);
  auto host = root.append_child("host");
  attribute(host, "hostname", report.host.hostname);
  attribute(host, "machine_id", report.host.machine_id);
  attribute(host, "os_release", report.host.os_release);

  auto run = root.append_child("run");
  attribute(run, "started_at", report.run.started_at);
  attribute(run, "finished_at", report.run.finished_at);
  attribute(run, "trigger", report.run.trigger);
  attribute(run, "root", report.run.root);
  run.append_attribute("sequence").set_value(static_cast<unsigned long long>(report.run.sequence));
  if (report.run.previous_sha256) attribute(run, "previous_sha256", *report.run.previous_sha256);

  auto policies = root.append_child("policies");
  for (const auto& policy : report.policies) {
    auto node = policies.append_child("policy");
    attribute(node, "id", policy.id);
    attribute(node, "version", policy.version);
    attribute(node, "sha256", policy.sha256);
  }

  auto variables = root.append_child("variables");
  for (const auto& variable : report.variables) {
    auto node = variables.append_child("variable");
    attribute(node, "policy_id", variable.policy_id);
    attribute(node, "name", variable.name);
    attribute(node, "value", variable.value);
    attribute(node, "origin", variable.origin);
    attribute(node, "source", variable.source);
    for (const auto& other : variable.other_sources) {
      auto source = node.append_child("other_source");
      attribute(source, "value", other.value);
      attribute(source, "source", other.source);
      attribute(source, "kind", other.kind);
      source.append_attribute("root_only").set_value(other.root_only);
      if (!other.rejected_because.empty()) attribute(source, "rejected_because", other.rejected_because);
    }
    for (const auto& note : variable.notes) text_child(node, "note", note);
  }

  auto results = root.append_child("results");
  for (const auto& result : report.results) append_result(results, result);

  auto summary = root.append_child("summary");
  for (const auto& [status, count] : report.counts()) {
    summary.append_attribute(std::string(to_string(status)).c_str()).set_value(count);
  }
  summary.append_attribute("compliant").set_value(report.compliant());
  return report_output::xml_to_string(doc);
}

}  // namespace clinic_audit
