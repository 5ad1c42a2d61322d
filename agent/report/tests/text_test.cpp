// The terminal report: order, remediation under failures, colours only on
// request, a counts line at the end.
#include <gtest/gtest.h>

#include "render_text.hpp"
#include "sample_reports.hpp"

namespace clinic_audit {
namespace {

std::size_t at(const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  return pos;
}

TEST(RenderText, FailuresFirstThenErrorsThenTheRest) {
  const std::string text = render_text(testing::every_status_report(), false);
  const auto critical = at(text, "FAIL     critical  apicrypt-v2  sudoers-www-data");
  const auto high = at(text, "FAIL     high      apicrypt-v2  apicrypt-binary-owner");
  const auto info = at(text, "FAIL     info      ekermed      browser-matrix");
  const auto error = at(text, "ERROR    high      ekermed      reach-visio");
  const auto pass = at(text, "PASS     high      apicrypt-v2  private-tmp");
  const auto waived = at(text, "WAIVED   medium    apicrypt-v2  clefs-permissions");
  EXPECT_LT(critical, high);
  EXPECT_LT(high, info);
  EXPECT_LT(info, error);
  EXPECT_LT(error, pass);
  EXPECT_LT(pass, waived);  // the rest keeps report order
}

TEST(RenderText, EachFailureShowsEvidenceAndRemediation) {
  const std::string text = render_text(testing::every_status_report(), false);
  EXPECT_NE(text.find("         at:       /etc/sudoers.d/medshake:3\n"
                      "         observed: www-data ALL=(ALL) NOPASSWD: ALL\n"
                      "         expected: www-data ALL=(root) NOPASSWD: /usr/local/bin/apicrypt\n"),
            std::string::npos);
  EXPECT_NE(text.find("         fix:      Remplacez la ligne par :\n"
                      "                     www-data ALL=(root) NOPASSWD: /usr/local/bin/apicrypt\n"
                      "                   puis `visudo -c`.\n"),
            std::string::npos);
  // CR LF in an observed value is one break, not a stray carriage return.
  EXPECT_EQ(text.find('\r'), std::string::npos);
  // A summary with a line break stays on its row.
  EXPECT_NE(text.find("cannot resolve visio.esante-bretagne.fr: SERVFAIL\n"), std::string::npos);
  // Remediation of a passing check is not shown.
  EXPECT_NE(text.find("waiver:   Ticket #123"), std::string::npos);
}

TEST(RenderText, EndsWithCounts) {
  const std::string text = render_text(testing::every_status_report(), false);
  const std::string last =
      "10 checks: 1 pass, 5 fail, 1 error, 1 not_applicable, 1 waived, 1 skipped - NOT COMPLIANT\n";
  ASSERT_GE(text.size(), last.size());
  EXPECT_EQ(text.substr(text.size() - last.size()), last);
  const std::string empty = render_text(testing::empty_report(), false);
  EXPECT_NE(empty.find("0 checks: 0 pass, 0 fail, 0 error, 0 not_applicable, 0 waived, 0 skipped - COMPLIANT\n"),
            std::string::npos);
}

TEST(RenderText, ColoursOnlyWhenAsked) {
  EXPECT_EQ(render_text(testing::every_status_report(), false).find('\x1b'), std::string::npos);
  const std::string coloured = render_text(testing::every_status_report(), true);
  EXPECT_NE(coloured.find("\x1b[1;31mFAIL   \x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[32mPASS   \x1b[0m"), std::string::npos);
}

// An ESC read from a host file must not reach the terminal.
TEST(RenderText, HostContentCannotDriveTheTerminal) {
  const std::string plain = render_text(testing::invalid_text_report(), false);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  EXPECT_EQ(plain.find("\xc2\x9b"), std::string::npos);
  EXPECT_EQ(plain.find('\0'), std::string::npos);
}

TEST(RenderText, AlignsUnicodeByCodePoints) {
  Report report = testing::empty_report();
  ResultRecord a;
  a.check_id = "énorme";
  a.policy_id = "p";
  a.status = Status::pass;
  a.summary = "s1";
  ResultRecord b = a;
  b.check_id = "ab";
  b.summary = "s2";
  report.results = {a, b};
  const std::string text = render_text(report, false);
  EXPECT_NE(text.find("p       énorme  s1\n"), std::string::npos);
  EXPECT_NE(text.find("p       ab      s2\n"), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit
