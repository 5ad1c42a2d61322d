// JSON and XML reports: validated against the shipped schemas by the real
// validators, and read back to check that both carry the same content.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "output_text.hpp"
#include "read_json.hpp"
#include "render_json.hpp"
#include "render_xml.hpp"
#include "sample_reports.hpp"
#include "schema_validation.hpp"

namespace clinic_audit {
namespace {

using nlohmann::json;
using testing::empty_report;
using testing::every_status_report;
using testing::invalid_text_report;

const std::string R(report_output::kReplacement);

class Samples : public ::testing::TestWithParam<int> {
 protected:
  static Report sample(int index) {
    switch (index) {
      case 0: return every_status_report();
      case 1: return invalid_text_report();
      default: return empty_report();
    }
  }
};

TEST_P(Samples, JsonValidatesAgainstSchema) {
  EXPECT_EQ(testing::validate_json_report(render_json(sample(GetParam()))), "");
}

TEST_P(Samples, XmlValidatesAgainstSchema) {
  EXPECT_EQ(testing::validate_xml_report(render_xml(sample(GetParam()))), "");
}

// Every field of the JSON report has its counterpart in the XML report.
TEST_P(Samples, JsonAndXmlCarryTheSameContent) {
  const Report report = sample(GetParam());
  const json j = json::parse(render_json(report));
  pugi::xml_document doc;
  const std::string xml = render_xml(report);
  ASSERT_TRUE(doc.load_buffer(xml.data(), xml.size()));
  const auto root = doc.child("report");
  EXPECT_EQ(j["schema"], root.attribute("schema").value());
  EXPECT_EQ(j["report_id"], root.attribute("report_id").value());
  EXPECT_EQ(j["agent"]["version"], root.child("agent").attribute("version").value());
  for (const char* key : {"hostname", "machine_id", "os_release"}) {
    EXPECT_EQ(j["host"][key], root.child("host").attribute(key).value()) << key;
  }
  const auto run = root.child("run");
  for (const char* key : {"started_at", "finished_at", "trigger", "root"}) {
    EXPECT_EQ(j["run"][key], run.attribute(key).value()) << key;
  }
  EXPECT_EQ(j["run"]["sequence"].get<std::uint64_t>(), run.attribute("sequence").as_ullong());
  EXPECT_EQ(j["run"]["previous_sha256"].is_null(), run.attribute("previous_sha256").empty());
  std::size_t i = 0;
  for (auto policy : root.child("policies").children("policy")) {
    for (const char* key : {"id", "version", "sha256"}) EXPECT_EQ(j["policies"][i][key], policy.attribute(key).value());
    ++i;
  }
  EXPECT_EQ(i, j["policies"].size());
  i = 0;
  for (auto result : root.child("results").children("result")) {
    const json& r = j["results"][i++];
    for (const char* key : {"check_id", "policy_id", "type", "severity", "status"}) {
      EXPECT_EQ(r[key], result.attribute(key).value()) << key;
    }
    EXPECT_EQ(r["duration_ms"].get<long long>(), result.attribute("duration_ms").as_llong());
    for (const char* key : {"title", "summary", "remediation"}) EXPECT_EQ(r[key], result.child_value(key)) << key;
    EXPECT_EQ(r.contains("waiver"), !result.child("waiver").empty());
    if (r.contains("waiver")) {
      EXPECT_EQ(r["waiver"], result.child_value("waiver"));
    }
    std::size_t k = 0;
    for (auto evidence : result.children("evidence")) {
      const json& e = r["evidence"][k++];
      EXPECT_EQ(e["path"], evidence.attribute("path").value());
      EXPECT_EQ(e["line"].is_null(), evidence.attribute("line").empty());
      if (!e["line"].is_null()) {
        EXPECT_EQ(e["line"].get<int>(), evidence.attribute("line").as_int());
      }
      EXPECT_EQ(e["observed"], evidence.child_value("observed"));
      EXPECT_EQ(e["expected"], evidence.child_value("expected"));
    }
    EXPECT_EQ(k, r["evidence"].size());
  }
  EXPECT_EQ(i, j["results"].size());
  const auto summary = root.child("summary");
  for (const char* key : {"pass", "fail", "error", "not_applicable", "waived", "skipped"}) {
    EXPECT_EQ(j["summary"][key].get<int>(), summary.attribute(key).as_int()) << key;
  }
  EXPECT_EQ(j["summary"]["compliant"].get<bool>(), summary.attribute("compliant").as_bool());
}

INSTANTIATE_TEST_SUITE_P(Reports, Samples, ::testing::Values(0, 1, 2));

TEST(RenderJson, KeysAndValuesFollowDesign) {
  const auto j = nlohmann::ordered_json::parse(render_json(every_status_report()));
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  // "lang": the language of the human texts (issue #18); English by default.
  EXPECT_EQ(keys, (std::vector<std::string>{"schema", "report_id", "agent", "lang", "host", "run", "policies",
                                            "variables", "results", "summary"}));
  EXPECT_EQ(j["lang"], "en");
  EXPECT_EQ(j["schema"], "clinic-audit/report/1");
  EXPECT_EQ(j["run"]["previous_sha256"], std::string(64, 'a'));
  const json& sudo = j["results"][0];
  EXPECT_EQ(sudo["summary"], "www-data may run ALL as root: \"ALL=(ALL) NOPASSWD: ALL\" & <more>");
  EXPECT_EQ(sudo["evidence"][0]["line"], 3);
  EXPECT_TRUE(sudo["evidence"][1]["line"].is_null());
  EXPECT_FALSE(sudo.contains("waiver"));
  EXPECT_EQ(j["results"][8]["waiver"], "Ticket #123 <IT> & \"migration\" until 2027-01-31");
  EXPECT_EQ(j["results"][6]["summary"], "PrivateTmp=false (Ünïcödé ✓ 日本 🏥)");
  EXPECT_EQ(j["summary"],
            nlohmann::ordered_json::parse(R"({"pass":1,"fail":5,"error":1,"not_applicable":1,"waived":1,"skipped":1,
                                          "compliant":false})"));
}

TEST(RenderJson, FirstReportHasNullPreviousHashAndEmptyArrays) {
  const json j = json::parse(render_json(empty_report()));
  EXPECT_TRUE(j["run"]["previous_sha256"].is_null());
  EXPECT_TRUE(j["policies"].is_array() && j["policies"].empty());
  EXPECT_TRUE(j["results"].is_array() && j["results"].empty());
  EXPECT_TRUE(j["summary"]["compliant"].get<bool>());
}

// The policy of output_text.hpp, end to end: invalid bytes become U+FFFD.
TEST(RenderJson, InvalidUtf8BecomesReplacementCharacter) {
  const json j = json::parse(render_json(invalid_text_report()));
  EXPECT_EQ(j["host"]["os_release"], "Debian " + R + R + " GNU/Linux");
  const json& e = j["results"][0]["evidence"][0];
  EXPECT_EQ(e["path"], "/etc/php/8.2/apache2/php.ini" + R + "(");
  EXPECT_EQ(e["observed"], "sys_temp_dir = \"/tmp/" + R + "\" " + R + R + R + " " + R + R + R + R + " " + R + R + " " +
                               R + " " + R + " tab\there");
  EXPECT_EQ(j["results"][0]["summary"],
            "binary junk: " + R + "[31mred" + R + "[0m " + R + "31m C1 CSI, NUL:" + R + " end");
}

TEST(RenderJson, IsDeterministic) { EXPECT_EQ(render_json(every_status_report()), render_json(every_status_report())); }

// XML 1.0 §2.11 would read a raw CR LF as LF; the reference keeps the CR.
TEST(RenderXml, KeepsCarriageReturns) {
  const std::string xml = render_xml(every_status_report());
  EXPECT_EQ(xml.find('\r'), std::string::npos);
  EXPECT_NE(xml.find("DEFAULT@SECLEVEL=3&#13;\n</observed>"), std::string::npos);
}

TEST(RenderXml, UsesNamespaceAndEscapes) {
  const std::string xml = render_xml(every_status_report());
  EXPECT_NE(xml.find("<report xmlns=\"urn:clinic-audit:report:1\" schema=\"clinic-audit/report/1\""),
            std::string::npos);
  EXPECT_NE(xml.find("&amp; &lt;more&gt;"), std::string::npos);
  EXPECT_EQ(xml.find("<more>"), std::string::npos);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const auto waived = doc.child("report").child("results").find_child_by_attribute("check_id", "clefs-permissions");
  EXPECT_STREQ(waived.child_value("waiver"), "Ticket #123 <IT> & \"migration\" until 2027-01-31");
  const auto sudo = doc.child("report").child("results").first_child();
  EXPECT_STREQ(sudo.child_value("remediation"),
               "Remplacez la ligne par :\n  www-data ALL=(root) NOPASSWD: /usr/local/bin/apicrypt\npuis `visudo -c`.");
}

}  // namespace
}  // namespace clinic_audit

namespace clinic_audit {
namespace {

// The validators are not vacuous: what the schemas forbid is reported.
TEST(SchemaValidation, RejectsWhatTheJsonSchemaForbids) {
  const auto valid = nlohmann::ordered_json::parse(render_json(testing::every_status_report()));
  auto extra = valid;
  extra["results"][0]["unexpected"] = 1;
  EXPECT_NE(testing::validate_json_report(extra.dump()), "");
  auto status = valid;
  status["results"][0]["status"] = "failed";
  EXPECT_NE(testing::validate_json_report(status.dump()), "");
  auto trigger = valid;
  trigger["run"]["trigger"] = "cron";
  EXPECT_NE(testing::validate_json_report(trigger.dump()), "");
  auto line = valid;
  line["results"][0]["evidence"][0]["line"] = 0;
  EXPECT_NE(testing::validate_json_report(line.dump()), "");
  auto missing = valid;
  missing["run"].erase("previous_sha256");
  EXPECT_NE(testing::validate_json_report(missing.dump()), "");
  EXPECT_NE(testing::validate_json_report("{not json"), "");
}

TEST(SchemaValidation, RejectsWhatTheXsdForbids) {
  const std::string valid = render_xml(testing::every_status_report());
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string out = valid;
    out.replace(out.find(from), from.size(), to);
    return out;
  };
  EXPECT_NE(testing::validate_xml_report(replaced("status=\"fail\"", "status=\"failed\"")), "");
  EXPECT_NE(testing::validate_xml_report(replaced("severity=\"critical\"", "severity=\"urgent\"")), "");
  EXPECT_NE(testing::validate_xml_report(replaced("line=\"3\"", "line=\"0\"")), "");
  EXPECT_NE(testing::validate_xml_report(replaced("<agent ", "<agent extra=\"1\" ")), "");
  EXPECT_NE(testing::validate_xml_report(replaced("urn:clinic-audit:report:1", "urn:other")), "");
  EXPECT_NE(testing::validate_xml_report(replaced("</report>", "")), "");
}

// nlohmann's parser has no depth limit: 64 KiB of '[' took most of a second
// under ASan (fuzz_read_json_report). A stored report is refused past 64
// levels with an error naming the file; a real report (5 levels) still reads.
TEST(ReadJsonReport, NestingBeyond64LevelsIsRefusedByName) {
  try {
    (void)read_json_report(std::string(65000, '['), "/var/lib/clinic-audit/reports/r.json");
    ADD_FAILURE() << "accepted";
  } catch (const ReportReadError& e) {
    EXPECT_NE(std::string(e.what()).find("/var/lib/clinic-audit/reports/r.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nested deeper than 64"), std::string::npos) << e.what();
  }
  const Report sample = every_status_report();
  EXPECT_EQ(read_json_report(render_json(sample), "r.json").results.size(), sample.results.size());
}

}  // namespace
}  // namespace clinic_audit
