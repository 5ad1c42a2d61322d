// <retention days> through a real collector (issue #11): at start, reports
// started longer ago than that are pruned; each host keeps its latest, so
// the next report still chains to it and `verify` passes on what remains.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "collector_harness.hpp"

namespace clinic_audit::collector::test {
namespace {

const std::string kMachine = "cccccccccccccccccccccccccccccccc";

std::string rfc3339(std::time_t at) {
  char text[32];
  std::tm tm{};
  gmtime_r(&at, &tm);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

TEST(CollectorRetention, OldReportsArePrunedAtStartAndTheChainGoesOn) {
  Collector collector("<retention days=\"30\"/>");
  const AgentIdentity agent = collector.issue("cab-r", kMachine);
  const std::time_t now = std::time(nullptr);
  const std::string old = rfc3339(now - 90 * 86400);
  std::optional<std::string> previous;
  for (std::uint64_t sequence = 1; sequence <= 3; ++sequence) {
    const SignedReport report = collector.make_report(agent, seq(sequence, previous).with_started_at(old));
    ASSERT_EQ(collector.submit(report, &agent).status, 201) << collector.log();
    previous = report.sha256;
  }
  ASSERT_EQ(collector.stored_reports(), 3U);

  collector.stop();
  collector.start();  // prunes at start, in the background
  for (int i = 0; i < 100 && collector.log().find("retention: deleted 2 report(s)") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(collector.log().find("retention: deleted 2 report(s)"), std::string::npos) << collector.log();
  EXPECT_EQ(collector.stored_reports(), 1U);  // the head, however old
  std::string output;
  EXPECT_TRUE(collector.verify_passes(&output)) << output;

  // The next report links to the kept head: stored, chain ok.
  const SignedReport next = collector.make_report(agent, seq(4, previous).with_started_at(rfc3339(now)));
  const auto answer = collector.submit(next, &agent);
  EXPECT_EQ(answer.status, 201) << answer.body;
  EXPECT_NE(answer.body.find("\"chain\":\"ok\""), std::string::npos) << answer.body;
  EXPECT_TRUE(collector.verify_passes(&output)) << output;
  EXPECT_EQ(collector.stored_reports(), 2U);
}

}  // namespace
}  // namespace clinic_audit::collector::test
