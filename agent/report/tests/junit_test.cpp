// JUnit output, checked structurally as CI servers read it (Jenkins junit
// plugin / junit-10.xsd): counts on every suite match its testcases.
#include <gtest/gtest.h>

#include <limits>
#include <pugixml.hpp>
#include <set>
#include <string_view>

#include "render_junit.hpp"
#include "sample_reports.hpp"
#include "schema_validation.hpp"

namespace clinic_audit {
namespace {

struct Counted {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
};

Counted count(pugi::xml_node suite) {
  Counted c;
  for (auto testcase : suite.children("testcase")) {
    ++c.tests;
    if (testcase.child("failure")) ++c.failures;
    if (testcase.child("error")) ++c.errors;
    if (testcase.child("skipped")) ++c.skipped;
  }
  return c;
}

void expect_counts(pugi::xml_node node, const Counted& c) {
  EXPECT_EQ(node.attribute("tests").as_int(-1), c.tests) << node.attribute("name").value();
  EXPECT_EQ(node.attribute("failures").as_int(-1), c.failures);
  EXPECT_EQ(node.attribute("errors").as_int(-1), c.errors);
  // junit-10.xsd: `skipped` on <testsuite> only.
  if (std::string_view(node.name()) == "testsuite") {
    EXPECT_EQ(node.attribute("skipped").as_int(-1), c.skipped);
  } else {
    EXPECT_TRUE(node.attribute("skipped").empty()) << "Jenkins' xUnit plugin rejects skipped on <testsuites>";
  }
  EXPECT_FALSE(node.attribute("time").empty());
}

pugi::xml_node testcase(const pugi::xml_document& doc, const char* name) {
  return doc.select_node((std::string("//testcase[@name='") + name + "']").c_str()).node();
}

TEST(RenderJunit, StructureAndCountsAreConsistent) {
  const std::string xml = render_junit(testing::every_status_report());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const auto root = doc.document_element();
  ASSERT_STREQ(root.name(), "testsuites");
  std::set<std::string> allowed_children{"failure", "error", "skipped", "system-out"};
  Counted total;
  std::vector<std::string> suites;
  for (auto suite : root.children()) {
    ASSERT_STREQ(suite.name(), "testsuite");
    suites.emplace_back(suite.attribute("name").value());
    EXPECT_STREQ(suite.attribute("timestamp").value(), "2026-11-22T15:04:05");
    EXPECT_STREQ(suite.attribute("hostname").value(), "cabinet-médical-01");
    const Counted c = count(suite);
    expect_counts(suite, c);
    total.tests += c.tests;
    total.failures += c.failures;
    total.errors += c.errors;
    total.skipped += c.skipped;
    for (auto tc : suite.children()) {
      ASSERT_STREQ(tc.name(), "testcase");
      EXPECT_STREQ(tc.attribute("classname").value(), suite.attribute("name").value());
      EXPECT_FALSE(tc.attribute("name").empty());
      EXPECT_FALSE(tc.attribute("time").empty());
      int outcomes = 0;
      for (auto child : tc.children()) {
        EXPECT_TRUE(allowed_children.count(child.name())) << child.name();
        if (std::string(child.name()) != "system-out") ++outcomes;
      }
      EXPECT_LE(outcomes, 1);
    }
  }
  expect_counts(root, total);
  EXPECT_EQ(suites, (std::vector<std::string>{"apicrypt-v2", "ekermed"}));
  EXPECT_EQ(total.tests, 10);
  EXPECT_EQ(total.failures, 5);
  EXPECT_EQ(total.errors, 1);
  EXPECT_EQ(total.skipped, 2);
}

// The oracle: xmllint against the schema Jenkins' xUnit plugin uses.
TEST(RenderJunit, ValidatesAgainstTheJenkinsXunitSchema) {
  EXPECT_EQ(testing::validate_junit_report(render_junit(testing::every_status_report())), "");
  EXPECT_EQ(testing::validate_junit_report(render_junit(Report{})), "");
}

TEST(RenderJunit, SchemaCheckRejectsWhatJenkinsRejects) {
  const std::string bad =
      "<?xml version=\"1.0\"?>\n<testsuites tests=\"1\" skipped=\"0\"><testsuite name=\"p\" tests=\"1\" "
      "failures=\"0\" errors=\"0\"><testcase name=\"c\"/></testsuite></testsuites>\n";
  EXPECT_NE(testing::validate_junit_report(bad), "");
}

TEST(RenderJunit, MapsEveryStatus) {
  const std::string xml = render_junit(testing::every_status_report());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const auto sudo = testcase(doc, "sudoers-www-data");
  EXPECT_STREQ(sudo.attribute("time").value(), "1.234");
  EXPECT_STREQ(sudo.child("failure").attribute("type").value(), "critical");
  EXPECT_STREQ(sudo.child("failure").attribute("message").value(),
               "www-data may run ALL as root: \"ALL=(ALL) NOPASSWD: ALL\" & <more>");
  const std::string body = sudo.child_value("failure");
  EXPECT_NE(body.find("/etc/sudoers.d/medshake:3\n  observed: www-data ALL=(ALL) NOPASSWD: ALL"), std::string::npos);
  EXPECT_NE(body.find("remediation: Remplacez"), std::string::npos);
  EXPECT_STREQ(testcase(doc, "reach-visio").child("error").attribute("type").value(), "high");
  EXPECT_STREQ(testcase(doc, "udp-media").child("skipped").attribute("message").value(),
               "skipped: --offline: network probes skipped");
  EXPECT_STREQ(testcase(doc, "php-fpm-private-tmp").child("skipped").attribute("message").value(),
               "not_applicable: php-fpm is not installed");
  const auto waived = testcase(doc, "clefs-permissions");
  EXPECT_FALSE(waived.child("failure") || waived.child("error") || waived.child("skipped"));
  EXPECT_EQ(std::string(waived.child_value("system-out")).rfind("waived: Ticket #123 <IT> & \"migration\"", 0), 0u);
  EXPECT_FALSE(testcase(doc, "private-tmp").first_child());
}

TEST(RenderJunit, SuiteForResultsOfAnUnlistedPolicy) {
  Report report = testing::empty_report();
  ResultRecord orphan;
  orphan.check_id = "x";
  orphan.policy_id = "site-local";
  orphan.status = Status::pass;
  report.results.push_back(orphan);
  pugi::xml_document doc;
  const std::string xml = render_junit(report);
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  EXPECT_STREQ(doc.child("testsuites").child("testsuite").attribute("name").value(), "site-local");
  EXPECT_STREQ(doc.child("testsuites").attribute("tests").value(), "1");
}

TEST(RenderJunit, HugeDurationsSaturate) {
  Report report = testing::every_status_report();
  for (auto& result : report.results) result.duration_ms = std::numeric_limits<std::int64_t>::max();
  pugi::xml_document doc;
  const std::string xml = render_junit(report);
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  EXPECT_STREQ(doc.child("testsuites").attribute("time").value(), "9223372036854775.807");
}

TEST(RenderJunit, InvalidTextStaysWellFormed) {
  pugi::xml_document doc;
  const std::string xml = render_junit(testing::invalid_text_report());
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit
