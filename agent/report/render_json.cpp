#include "render_json.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <string_view>

#include "json_string.hpp"
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

// The same bytes as nlohmann's dump(2, ' ', false, replace) of the tree
// render_json_tree builds, written straight into one string: building the
// tree and dumping it was 2.5 M of the 3-policy audit's instructions (issue
// #19 item 5). A string that is not valid UTF-8 (never, after
// normalized_for_output) stops it and the tree path renders instead, so
// nlohmann's replacement rules stay its own. Held against
// render_json_tree in ca_report_tests (JsonWriter*).
class JsonWriter {
 public:
  struct InvalidUtf8 {};

  std::string take() { return std::move(out_); }

  void begin_object() { begin('{'); }
  void end_object() { end('}'); }
  void begin_array() { begin('['); }
  void end_array() { end(']'); }
  void key(std::string_view name) {
    separate();
    string_value(name);
    out_ += ": ";
    after_key_ = true;
  }
  void value(std::string_view text) {
    separate();
    string_value(text);
  }
  void value(const char* text) { value(std::string_view(text)); }
  void value(const std::string& text) { value(std::string_view(text)); }
  void value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
  }
  void null() {
    separate();
    out_ += "null";
  }
  template <typename Integer>
  void number(Integer n) {
    separate();
    std::array<char, 24> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), n);
    (void)ec;
    out_.append(buf.data(), end);
  }
  template <typename T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  // Before a value or a key: the comma and newline of a non-first element,
  // the newline of a first one, and the indentation (none after a key).
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ == 0) return;
    out_ += first_ ? "\n" : ",\n";
    first_ = false;
    out_.append(2 * depth_, ' ');
  }
  void begin(char open) {
    separate();
    out_ += open;
    ++depth_;
    first_ = true;
  }
  void end(char close) {
    --depth_;
    if (!first_) {  // not empty: the closing bracket on its own line
      out_ += '\n';
      out_.append(2 * depth_, ' ');
    }
    out_ += close;
    first_ = false;
  }
  // nlohmann's dump_escaped with ensure_ascii false
  // (checks/common/json_string.hpp).
  void string_value(std::string_view text) {
    if (!append_json_string_if_utf8(out_, text)) throw InvalidUtf8{};
  }

  std::string out_;
  std::size_t depth_ = 0;
  bool first_ = true;
  bool after_key_ = false;
};

void write_result(JsonWriter& w, const ResultRecord& result) {
  w.begin_object();
  w.member("check_id", result.check_id);
  w.member("policy_id", result.policy_id);
  w.member("type", result.type);
  w.member("title", result.title);
  w.member("severity", to_string(result.severity));
  w.member("status", to_string(result.status));
  w.member("summary", result.summary);
  w.key("evidence");
  w.begin_array();
  for (const auto& item : result.evidence) {
    w.begin_object();
    w.member("path", item.path);
    w.key("line");
    if (item.line) {
      w.number(*item.line);
    } else {
      w.null();
    }
    w.member("observed", item.observed);
    w.member("expected", item.expected);
    w.end_object();
  }
  w.end_array();
  w.member("remediation", result.remediation);
  w.key("remediation_commands");
  w.begin_array();
  for (const auto& command : result.remediation_commands) w.value(command);
  w.end_array();
  w.key("duration_ms");
  w.number(result.duration_ms);
  if (result.waiver_reason) w.member("waiver", *result.waiver_reason);
  w.end_object();
}

// The document render_json_tree builds, member for member.
std::string write_report(const Report& report) {
  JsonWriter w;
  w.begin_object();
  w.member("schema", Report::kSchema);
  w.member("report_id", report.report_id);
  w.key("agent");
  w.begin_object();
  w.member("version", report.agent_version);
  w.end_object();
  w.member("lang", report.lang);
  w.key("host");
  w.begin_object();
  w.member("hostname", report.host.hostname);
  w.member("machine_id", report.host.machine_id);
  w.member("os_release", report.host.os_release);
  w.end_object();
  w.key("run");
  w.begin_object();
  w.member("started_at", report.run.started_at);
  w.member("finished_at", report.run.finished_at);
  w.member("trigger", report.run.trigger);
  w.member("root", report.run.root);
  w.key("sequence");
  w.number(report.run.sequence);
  w.key("previous_sha256");
  if (report.run.previous_sha256) {
    w.value(*report.run.previous_sha256);
  } else {
    w.null();
  }
  w.end_object();
  w.key("policies");
  w.begin_array();
  for (const auto& policy : report.policies) {
    w.begin_object();
    w.member("id", policy.id);
    w.member("version", policy.version);
    w.member("sha256", policy.sha256);
    w.end_object();
  }
  w.end_array();
  w.key("variables");
  w.begin_array();
  for (const auto& variable : report.variables) {
    w.begin_object();
    w.member("policy_id", variable.policy_id);
    w.member("name", variable.name);
    w.member("value", variable.value);
    w.member("origin", variable.origin);
    w.member("source", variable.source);
    w.key("other_sources");
    w.begin_array();
    for (const auto& other : variable.other_sources) {
      w.begin_object();
      w.member("value", other.value);
      w.member("source", other.source);
      w.member("kind", other.kind);
      w.member("root_only", other.root_only);
      if (!other.rejected_because.empty()) w.member("rejected_because", other.rejected_because);
      w.end_object();
    }
    w.end_array();
    w.key("notes");
    w.begin_array();
    for (const auto& note : variable.notes) w.value(note);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("results");
  w.begin_array();
  for (const auto& result : report.results) write_result(w, result);
  w.end_array();
  w.key("summary");
  w.begin_object();
  for (const auto& [status, count] : report.counts()) {
    w.key(to_string(status));
    w.number(count);
  }
  w.member("compliant", report.compliant());
  w.end_object();
  w.end_object();
  return w.take() + "\n";
}

std::string render_json_tree_of(const Report& report);

}  // namespace

std::string render_json(const Report& input) {
  const Report report = report_output::normalized_for_output(input);
  try {
    return write_report(report);
  } catch (const JsonWriter::InvalidUtf8&) {
    return render_json_tree_of(report);
  }
}

std::string render_json_tree(const Report& input) {
  return render_json_tree_of(report_output::normalized_for_output(input));
}

namespace {

std::string render_json_tree_of(const Report& report) {
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

}  // namespace
}  // namespace clinic_audit
