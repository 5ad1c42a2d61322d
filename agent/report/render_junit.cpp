#include "render_junit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <pugixml.hpp>
#include <vector>

#include "i18n.hpp"
#include "output_text.hpp"
#include "xml_writer.hpp"

namespace clinic_audit {
namespace {

struct SuiteCounts {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  std::int64_t duration_ms = 0;

  void add(const ResultRecord& result) {
    ++tests;
    if (result.status == Status::fail) ++failures;
    if (result.status == Status::error) ++errors;
    if (result.status == Status::skipped || result.status == Status::not_applicable) ++skipped;
    // Durations are >= 0 after normalisation; saturate rather than overflow.
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    duration_ms = result.duration_ms > kMax - duration_ms ? kMax : duration_ms + result.duration_ms;
  }
};

std::string seconds(std::int64_t milliseconds) {
  return fmt::format("{}.{:03}", milliseconds / 1000, milliseconds % 1000);
}

// The JUnit schema Jenkins' xUnit plugin validates against (junit-10.xsd,
// vendored in tests/data/junit) allows `skipped` on <testsuite> only: on
// <testsuites> it makes the plugin reject the whole file (issue #15).
enum class Level { suites, suite };

void set_counts(pugi::xml_node node, const SuiteCounts& counts, Level level) {
  node.append_attribute("tests").set_value(counts.tests);
  node.append_attribute("failures").set_value(counts.failures);
  node.append_attribute("errors").set_value(counts.errors);
  if (level == Level::suite) node.append_attribute("skipped").set_value(counts.skipped);
  node.append_attribute("time").set_value(seconds(counts.duration_ms).c_str());
}

std::string_view without_trailing_breaks(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The message body a CI page shows under the test: where and what was seen.
std::string details(const ResultRecord& result, bool with_remediation) {
  std::string out;
  for (const auto& item : result.evidence) {
    out += item.path.empty() ? std::string("-") : item.path;
    if (item.line) out += fmt::format(":{}", *item.line);
    out += fmt::format("\n  {} {}\n  {} {}\n", _("observed:"), without_trailing_breaks(item.observed), _("expected:"),
                       without_trailing_breaks(item.expected));
  }
  if (with_remediation && !result.remediation.empty())
    out += std::string(_("remediation:")) + " " + result.remediation + "\n";
  return out;
}

void append_testcase(pugi::xml_node suite, const ResultRecord& result) {
  auto testcase = suite.append_child("testcase");
  testcase.append_attribute("classname").set_value(result.policy_id.c_str());
  testcase.append_attribute("name").set_value(result.check_id.c_str());
  testcase.append_attribute("time").set_value(seconds(result.duration_ms).c_str());
  const std::string severity(to_string(result.severity));
  switch (result.status) {
    case Status::fail:
    case Status::error: {
      auto node = testcase.append_child(result.status == Status::fail ? "failure" : "error");
      node.append_attribute("message").set_value(result.summary.c_str());
      node.append_attribute("type").set_value(severity.c_str());
      const std::string body = details(result, result.status == Status::fail);
      if (!body.empty()) node.text().set(body.c_str());
      break;
    }
    case Status::skipped:
    case Status::not_applicable:
      testcase.append_child("skipped").append_attribute("message").set_value(
          fmt::format("{}: {}", to_string(result.status), result.summary).c_str());
      break;
    case Status::waived:
      testcase.append_child("system-out")
          .text()
          .set(fmt::format("waived: {}\n{}\n", result.waiver_reason.value_or(""), result.summary).c_str());
      break;
    case Status::pass: break;
  }
}

}  // namespace

std::string render_junit(const Report& input) {
  const Report report = report_output::normalized_for_output(input);
  std::vector<std::string> suite_names;
  for (const auto& policy : report.policies) {
    if (std::find(suite_names.begin(), suite_names.end(), policy.id) == suite_names.end()) {
      suite_names.push_back(policy.id);
    }
  }
  for (const auto& result : report.results) {
    if (std::find(suite_names.begin(), suite_names.end(), result.policy_id) == suite_names.end()) {
      suite_names.push_back(result.policy_id);
    }
  }

  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("UTF-8");
  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name").set_value("clinic-audit");

  // JUnit timestamps are local date-times without zone (Ant's
  // ISO8601_DATETIME_PATTERN); ours are UTC, so drop the designator.
  std::string timestamp = report.run.started_at;
  if (!timestamp.empty() && timestamp.back() == 'Z') timestamp.pop_back();

  SuiteCounts total;
  for (const auto& result : report.results) total.add(result);
  set_counts(suites, total, Level::suites);
  for (const auto& name : suite_names) {
    auto suite = suites.append_child("testsuite");
    suite.append_attribute("name").set_value(name.c_str());
    SuiteCounts counts;
    for (const auto& result : report.results) {
      if (result.policy_id == name) counts.add(result);
    }
    set_counts(suite, counts, Level::suite);
    suite.append_attribute("timestamp").set_value(timestamp.c_str());
    suite.append_attribute("hostname").set_value(report.host.hostname.c_str());
    for (const auto& result : report.results) {
      if (result.policy_id == name) append_testcase(suite, result);
    }
  }
  return report_output::xml_to_string(doc);
}

}  // namespace clinic_audit
