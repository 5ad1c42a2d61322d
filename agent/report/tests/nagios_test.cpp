// Nagios plugin output and exit codes (Monitoring Plugins Development
// Guidelines: return codes, "TEXT | PERFDATA" first line, long output).
#include <gtest/gtest.h>

#include <regex>

#include "render_nagios.hpp"
#include "sample_reports.hpp"

namespace clinic_audit {
namespace {

ResultRecord with(std::string id, Status status, Severity severity) {
  ResultRecord r;
  r.check_id = std::move(id);
  r.policy_id = "p";
  r.status = status;
  r.severity = severity;
  r.summary = "summary of " + r.check_id;
  return r;
}

Report of(std::vector<ResultRecord> results) {
  Report report = testing::empty_report();
  report.results = std::move(results);
  return report;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

TEST(NagiosExitCode, FollowsSeverityOfFailures) {
  for (Severity s : {Severity::critical, Severity::high}) {
    EXPECT_EQ(nagios_exit_code(of({with("a", Status::fail, s), with("b", Status::error, Severity::info)})), 2);
  }
  for (Severity s : {Severity::medium, Severity::low, Severity::info}) {
    EXPECT_EQ(nagios_exit_code(of({with("a", Status::fail, s), with("b", Status::error, Severity::critical)})), 1);
  }
  EXPECT_EQ(nagios_exit_code(
                of({with("a", Status::error, Severity::critical), with("b", Status::pass, Severity::high)})),
            3);
  EXPECT_EQ(nagios_exit_code(
                of({with("a", Status::pass, Severity::critical), with("b", Status::waived, Severity::critical),
                    with("c", Status::skipped, Severity::critical),
                    with("d", Status::not_applicable, Severity::critical)})),
            0);
  EXPECT_EQ(nagios_exit_code(testing::empty_report()), 0);
  EXPECT_EQ(nagios_exit_code(testing::every_status_report()), 2);
}

TEST(RenderNagios, CriticalLineListsFailuresMostSevereFirstWithPerfdata) {
  const std::string out = render_nagios(testing::every_status_report());
  EXPECT_EQ(first_line(out),
            "CLINIC-AUDIT CRITICAL - 5 failed: sudoers-www-data, apicrypt-binary-owner, openssl-seclevel, "
            "php-sys-temp-dir, browser-matrix; 1 error: reach-visio | 'pass'=1;;;0;10 'fail'=5;;;0;10 "
            "'error'=1;;;0;10 'not_applicable'=1;;;0;10 'waived'=1;;;0;10 'skipped'=1;;;0;10 'duration'=2.250s;;;0;");
  // Long output: one line per problem; '|' from content cannot start perfdata.
  EXPECT_NE(out.find("\nFAIL [critical] sudoers-www-data: www-data may run ALL as root"), std::string::npos);
  EXPECT_NE(out.find("\nFAIL [low] php-sys-temp-dir: sys_temp_dir diverted \xC2\xA6 'quoted'"), std::string::npos);
  EXPECT_NE(out.find("\nERROR [high] reach-visio: cannot resolve visio.esante-bretagne.fr: SERVFAIL\n"),
            std::string::npos);
  EXPECT_EQ(std::count(out.begin(), out.end(), '|'), 1);
  EXPECT_EQ(out.back(), '\n');
}

TEST(RenderNagios, PerfdataFollowsGuidelinesSyntax) {
  const std::string line = first_line(render_nagios(testing::every_status_report()));
  const std::string perfdata = line.substr(line.find(" | ") + 3);
  // 'label'=value[UOM];[warn];[crit];[min];[max], space separated.
  const std::regex item(R"('[^'=]+'=-?[0-9]+(\.[0-9]+)?(s|%|B|KB|MB|TB|c)?;[^; ]*;[^; ]*;[^; ]*;[^; ]*)");
  std::size_t start = 0;
  int items = 0;
  while (start < perfdata.size()) {
    std::size_t end = perfdata.find(' ', start);
    if (end == std::string::npos) end = perfdata.size();
    EXPECT_TRUE(std::regex_match(perfdata.substr(start, end - start), item)) << perfdata.substr(start, end - start);
    ++items;
    start = end + 1;
  }
  EXPECT_EQ(items, 7);
}

TEST(RenderNagios, OkWarningUnknownTexts) {
  EXPECT_EQ(first_line(render_nagios(of({with("a", Status::pass, Severity::high)}))).substr(0, 46),
            "CLINIC-AUDIT OK - 1 check, 1 passed, compliant");
  EXPECT_EQ(first_line(render_nagios(of({with("a", Status::fail, Severity::low)}))).substr(0, 37),
            "CLINIC-AUDIT WARNING - 1 failed: a | ");
  EXPECT_EQ(first_line(
                render_nagios(of({with("a", Status::error, Severity::low), with("b", Status::error, Severity::low)})))
                .substr(0, 38),
            "CLINIC-AUDIT UNKNOWN - 2 errors: a, b ");
}

TEST(RenderNagios, CapsTheListOfIds) {
  std::vector<ResultRecord> many;
  for (int i = 0; i < 13; ++i) many.push_back(with("c" + std::to_string(i), Status::fail, Severity::high));
  const std::string line = first_line(render_nagios(of(many)));
  EXPECT_NE(line.find("13 failed: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 3 more | "), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit
