// The format registry, and the promise that no Report content makes a
// renderer throw or emit a malformed JSON/XML document.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <random>

#include "formats.hpp"
#include "render_nagios.hpp"
#include "sample_reports.hpp"

namespace clinic_audit {
namespace {

TEST(ReportFormats, NamesAndExtensions) {
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& format : report_formats()) got.emplace_back(format.name, format.extension);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{"text", "txt"},
                                                                   {"json", "json"},
                                                                   {"xml", "xml"},
                                                                   {"junit", "junit.xml"},
                                                                   {"nagios", "nagios.txt"},
                                                                   {"prometheus", "prom"}}));
  ASSERT_NE(find_report_format("junit"), nullptr);
  EXPECT_EQ(find_report_format("junit")->extension, "junit.xml");
  EXPECT_EQ(find_report_format("html"), nullptr);
  EXPECT_EQ(find_report_format(""), nullptr);
}

TEST(ReportFormats, TextColourComesFromOptions) {
  const auto* text = find_report_format("text");
  ASSERT_NE(text, nullptr);
  const Report report = testing::every_status_report();
  EXPECT_EQ(text->render(report, {}).find('\x1b'), std::string::npos);
  EXPECT_NE(text->render(report, {.color = true}).find('\x1b'), std::string::npos);
}

std::string random_bytes(std::mt19937& rng, std::size_t max) {
  std::uniform_int_distribution<std::size_t> length(0, max);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string out(length(rng), '\0');
  for (char& c : out) c = static_cast<char>(byte(rng));
  return out;
}

Report random_report(std::mt19937& rng) {
  Report report;
  auto text = [&] { return random_bytes(rng, 40); };
  report.report_id = text();
  report.agent_version = text();
  report.host = {text(), text(), text()};
  report.run = {text(), text(), text(), text(), rng(), std::nullopt, -1.5};
  if (rng() % 2) report.run.previous_sha256 = text();
  report.policies = {{text(), text(), text(), text()}};
  std::uniform_int_distribution<int> status(0, 5), severity(0, 4), count(0, 4);
  for (int i = count(rng); i > 0; --i) {
    ResultRecord r;
    r.check_id = text();
    r.policy_id = rng() % 2 ? report.policies[0].id : text();
    r.type = text();
    r.title = text();
    r.severity = static_cast<Severity>(severity(rng));
    r.status = static_cast<Status>(status(rng));
    r.summary = text();
    r.remediation = text();
    r.duration_ms = static_cast<std::int64_t>(rng()) - 1000;
    if (rng() % 2) r.waiver_reason = text();
    for (int k = count(rng); k > 0; --k) {
      r.evidence.push_back(
          {text(), rng() % 2 ? std::optional<int>(static_cast<int>(rng() % 200) - 100) : std::nullopt, text(), text()});
    }
    report.results.push_back(r);
  }
  return report;
}

TEST(ReportFormats, NoContentMakesARendererThrowOrEmitMalformedDocuments) {
  std::mt19937 rng(20261122);
  for (int round = 0; round < 300; ++round) {
    const Report report = random_report(rng);
    for (const auto& format : report_formats()) {
      std::string out;
      ASSERT_NO_THROW(out = format.render(report, {.color = round % 2 == 0})) << format.name;
      if (format.name == "json") {
        EXPECT_TRUE(nlohmann::json::accept(out)) << out;
      } else if (format.name == "xml" || format.name == "junit") {
        pugi::xml_document doc;
        EXPECT_TRUE(
            doc.load_buffer(out.data(), out.size(), pugi::parse_default | pugi::parse_declaration, pugi::encoding_utf8))
            << out;
      } else if (format.name == "nagios") {
        EXPECT_EQ(out.substr(0, out.find('\n')).find('|'), out.find('|'));
      }
    }
    const int code = nagios_exit_code(report);
    EXPECT_TRUE(code >= 0 && code <= 3);
  }
}

}  // namespace
}  // namespace clinic_audit
