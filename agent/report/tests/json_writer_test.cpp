// render_json writes its bytes directly (issue #19 item 5); the nlohmann
// tree it used to build and dump (render_json_tree) is the reference: the
// same bytes for the sample reports and for generated ones mixing every
// JSON escape, controls, multibyte and ill-formed UTF-8 (which
// normalized_for_output repairs first), empty and long lists, optional
// members, large and negative numbers.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "render_json.hpp"
#include "sample_reports.hpp"

namespace clinic_audit::testing {
namespace {

using namespace std::string_literals;

TEST(JsonWriter, SameBytesAsTheTreeForTheSampleReports) {
  for (const Report& report : {every_status_report(), invalid_text_report(), empty_report()}) {
    const std::string direct = render_json(report);
    EXPECT_EQ(direct, render_json_tree(report));
    EXPECT_FALSE(direct.empty());
  }
}

class Generator {
 public:
  explicit Generator(unsigned seed) : random_(seed) {}

  std::string text() {
    static const std::vector<std::string> pieces{"",
                                                 "a",
                                                 "plain words ",
                                                 "\"",
                                                 "\\",
                                                 "/",
                                                 "\b",
                                                 "\f",
                                                 "\n",
                                                 "\r",
                                                 "\t",
                                                 "\x01",
                                                 "\x1f",
                                                 "\x7f",
                                                 "é",
                                                 "€",
                                                 "\U0001F600",
                                                 "\xff",
                                                 "\xc3\x28",
                                                 "\xed\xa0\x80",
                                                 "\xf4\x90\x80\x80",
                                                 "\xc0\xaf",
                                                 "\xef\xbf\xbe",
                                                 "\x1b[31m",
                                                 "\xc2\x9b",
                                                 "<&>'",
                                                 "\0"s,
                                                 "${x}",
                                                 "0",
                                                 "null"};
    std::string out;
    const auto count = pick(6);
    for (std::size_t i = 0; i < count; ++i) out += pieces[pick(pieces.size())];
    return out;
  }
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(random_() % n); }
  bool coin() { return pick(2) == 0; }

  Report report() {
    Report r;
    r.report_id = text();
    r.agent_version = text();
    r.lang = coin() ? "fr" : "en";
    r.host = {text(), text(), text()};
    r.run.started_at = text();
    r.run.finished_at = text();
    r.run.trigger = text();
    r.run.root = text();
    r.run.sequence = coin() ? pick(1000) : 18446744073709551615ULL;
    if (coin()) r.run.previous_sha256 = text();
    for (std::size_t i = pick(3); i > 0; --i) r.policies.push_back({text(), text(), text(), text()});
    for (std::size_t i = pick(3); i > 0; --i) {
      VariableRecord v{text(), text(), text(), text(), text(), {}, {}};
      for (std::size_t k = pick(3); k > 0; --k)
        v.other_sources.push_back({text(), text(), text(), coin(), coin() ? text() : ""});
      for (std::size_t k = pick(3); k > 0; --k) v.notes.push_back(text());
      r.variables.push_back(std::move(v));
    }
    for (std::size_t i = pick(5); i > 0; --i) {
      ResultRecord result;
      result.check_id = text();
      result.policy_id = text();
      result.type = text();
      result.title = text();
      result.severity = static_cast<Severity>(pick(5));
      result.status = static_cast<Status>(pick(6));
      result.summary = text();
      for (std::size_t k = pick(4); k > 0; --k) {
        result.evidence.push_back(
            {text(), coin() ? std::optional<int>(static_cast<int>(pick(100000)) - 5) : std::nullopt, text(), text()});
      }
      for (std::size_t k = pick(3); k > 0; --k) result.remediation_commands.push_back(text());
      result.remediation = text();
      result.duration_ms = coin() ? static_cast<std::int64_t>(pick(5000)) : -9223372036854775807LL - 1;
      if (coin()) result.waiver_reason = text();
      r.results.push_back(std::move(result));
    }
    return r;
  }

 private:
  std::mt19937 random_;
};

TEST(JsonWriter, SameBytesAsTheTreeForGeneratedReports) {
  Generator generate(19);
  int compared = 0;
  for (int i = 0; i < 600; ++i) {
    const Report report = generate.report();
    const std::string direct = render_json(report);
    ASSERT_EQ(direct, render_json_tree(report)) << "report " << i;
    ++compared;
  }
  EXPECT_EQ(compared, 600);
}

}  // namespace
}  // namespace clinic_audit::testing
