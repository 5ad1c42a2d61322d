// node_exporter textfile output: checked by promtool (Debian package
// prometheus) and by a strict reading of the text exposition format.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "render_prometheus.hpp"
#include "sample_reports.hpp"
#include "schema_validation.hpp"

namespace clinic_audit {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Report hostile_ids() {
  Report report = testing::empty_report();
  ResultRecord r;
  r.check_id = "quote\"back\\slash\nnewline é";
  r.policy_id = "p{1}=,";
  r.status = Status::fail;
  r.severity = Severity::high;
  report.results.push_back(r);
  r.check_id = "second";
  r.status = Status::waived;
  report.results.push_back(r);
  report.results.push_back(r);  // duplicate series would make node_exporter reject the file
  return report;
}

TEST(RenderPrometheus, PromtoolAcceptsEverySample) {
  for (const Report& report :
       {testing::every_status_report(), testing::invalid_text_report(), testing::empty_report(), hostile_ids()}) {
    EXPECT_EQ(testing::validate_prometheus_metrics(render_prometheus(report)), "");
  }
}

// Exposition format 0.0.4, line by line: comments are HELP or TYPE, each
// family's HELP and TYPE precede its samples, samples of a family are
// contiguous, label values only use the three escapes.
TEST(RenderPrometheus, StrictLineFormat) {
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) [^\n]+)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) gauge)");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|NaN|[+-]Inf))");
  for (const Report& report : {testing::every_status_report(), hostile_ids()}) {
    const std::string text = render_prometheus(report);
    ASSERT_EQ(text.back(), '\n');
    std::string current;
    std::set<std::string> finished;
    std::set<std::string> series;
    bool typed = false;
    for (const auto& line : lines(text)) {
      std::smatch m;
      if (std::regex_match(line, m, help)) {
        EXPECT_TRUE(finished.insert(m[1]).second) << "family repeated: " << line;
        current = m[1];
        typed = false;
      } else if (std::regex_match(line, m, type)) {
        EXPECT_EQ(m[1], current);
        typed = true;
      } else {
        ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
        EXPECT_EQ(m[1], current) << line;
        EXPECT_TRUE(typed);
        EXPECT_TRUE(series.insert(line.substr(0, line.rfind(' '))).second) << "duplicate series " << line;
      }
    }
  }
}

TEST(RenderPrometheus, OneHotStatusAndCounts) {
  const std::string text = render_prometheus(testing::every_status_report());
  EXPECT_NE(text.find("clinic_audit_check_status{check_id=\"sudoers-www-data\",policy=\"apicrypt-v2\","
                      "severity=\"critical\",status=\"fail\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("clinic_audit_check_status{check_id=\"sudoers-www-data\",policy=\"apicrypt-v2\","
                      "severity=\"critical\",status=\"pass\"} 0\n"),
            std::string::npos);
  std::map<std::string, int> ones;
  for (const auto& line : lines(text)) {
    if (line.rfind("clinic_audit_check_status{", 0) == 0 && line.back() == '1') ++ones[line];
  }
  EXPECT_EQ(ones.size(), 10u);  // exactly one status per check
  EXPECT_NE(text.find("clinic_audit_checks{status=\"fail\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("clinic_audit_run_timestamp_seconds 1795359847.25\n"), std::string::npos);
  EXPECT_NE(text.find("clinic_audit_run_duration_seconds 2.25\n"), std::string::npos);
  EXPECT_NE(text.find("clinic_audit_compliant 0\n"), std::string::npos);
  EXPECT_NE(render_prometheus(testing::empty_report()).find("clinic_audit_compliant 1\n"), std::string::npos);
}

TEST(RenderPrometheus, EscapesLabelValuesAndDropsDuplicates) {
  const std::string text = render_prometheus(hostile_ids());
  EXPECT_NE(text.find(R"({check_id="quote\"back\\slash\nnewline é",policy="p{1}=,",severity="high",status="fail"} 1)"),
            std::string::npos);
  std::size_t second = 0;
  for (const auto& line : lines(text)) {
    if (line.find("check_id=\"second\"") != std::string::npos) ++second;
  }
  EXPECT_EQ(second, 6u);
}

TEST(RenderPrometheus, MalformedFinishTimeOmitsTheSample) {
  Report report = testing::empty_report();
  report.run.finished_at = "yesterday";
  const std::string text = render_prometheus(report);
  EXPECT_EQ(text.find("\nclinic_audit_run_timestamp_seconds "), std::string::npos);
  EXPECT_EQ(testing::validate_prometheus_metrics(text), "");
}

}  // namespace
}  // namespace clinic_audit

namespace clinic_audit {
namespace {

// promtool's verdict is not vacuous: parse errors and lint problems count.
TEST(RenderPrometheus, PromtoolRejectsMalformedOrUnidiomaticMetrics) {
  EXPECT_NE(testing::validate_prometheus_metrics("# HELP x h\n# TYPE x gauge\nx{a=\"b} 1\n"), "");
  EXPECT_NE(testing::validate_prometheus_metrics("# HELP x h\n# TYPE x counter\nx 1\n"), "");
  EXPECT_EQ(testing::validate_prometheus_metrics("# HELP x h\n# TYPE x gauge\nx 1\n"), "");
}

}  // namespace
}  // namespace clinic_audit
