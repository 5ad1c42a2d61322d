// Issue #12 item 7: the link to the collector cut by the network, not by
// stopping a process. The test process moves into a network namespace of
// its own (unshare(2) CLONE_NEWNET), so the collector it starts and the
// agents it runs talk over a private loopback that no other program sees,
// and nft(8) rules in that namespace cut the link in the middle of a
// `submit`, silently (packets dropped, no reset: what a dead uplink does):
//  1. the collector's packets are dropped once a byte quota is used up: a
//     request arrives and is stored, but its acknowledgment never reaches the
//     agent, which times out, keeps the report and sends it again later;
//  2. the agent's packets are dropped: nothing arrives;
//  3. the rules are removed: one submit delivers the rest.
// Then every report is stored exactly once, in order, the chain clean, and
// the report whose answer was lost came back as a duplicate, not a second copy.
// Labels root and heavy; skipped when the namespace or nft is not available.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <regex>
#include <string>

#include "e2e_fixture.hpp"

namespace clinic_audit::delivery {
namespace {

using collector::test::Collector;
using collector::test::quote;
using collector::test::sh;
using collector::test::Shell;
using test::EndToEnd;
using test::one_to;

class NetworkCut : public EndToEnd {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace and nft rules)";
    if (sh("command -v nft && command -v ip").exit_code != 0) GTEST_SKIP() << "nft or ip (iproute2) not installed";
    if (::unshare(CLONE_NEWNET) != 0) GTEST_SKIP() << "cannot create a network namespace: " << std::strerror(errno);
    const Shell lo = sh("ip link set lo up");
    if (lo.exit_code != 0) GTEST_SKIP() << "cannot bring up the namespace's loopback: " << lo.output;
    // Only this namespace: the host's rules are untouched, and the table
    // goes away with the namespace when the test process exits.
    const Shell table = nft("add table inet clinic_audit_cut");
    if (table.exit_code != 0) GTEST_SKIP() << "nft cannot add a table: " << table.output;
    ASSERT_EQ(
        nft("'add chain inet clinic_audit_cut out { type filter hook output priority 0; policy accept; }'").exit_code,
        0);
    EndToEnd::SetUp();
  }
  static Shell nft(const std::string& arguments) { return sh("nft " + arguments); }
  static void cut(const std::string& rule) {
    const Shell flushed = nft("flush chain inet clinic_audit_cut out");
    ASSERT_EQ(flushed.exit_code, 0) << flushed.output;
    if (rule.empty()) return;
    const Shell added = nft("add rule inet clinic_audit_cut out " + rule);
    ASSERT_EQ(added.exit_code, 0) << added.output;
  }
  // One-second steps and two attempts: a dead link costs seconds, not minutes.
  void short_timeouts() {
    std::string text = collector::test::read_file(config_);
    text = std::regex_replace(text, std::regex("timeout-seconds=\"5\""), "timeout-seconds=\"1\"");
    collector::test::write_file(config_, text);
  }
};

TEST_F(NetworkCut, LinkCutMidSubmitLosesNothingAndStoresNothingTwice) {
  constexpr std::size_t kReports = 12;
  Collector collector;
  enroll(collector);
  short_timeouts();
  for (std::size_t i = 0; i < kReports; ++i) audit();
  ASSERT_EQ(spooled(), kReports);
  const std::string port = std::to_string(collector.port());

  // 1. The collector's answers pass until 3 KB went by (the TLS handshake
  //    and a few acknowledgments), then are dropped. The collector sends no
  //    TLS 1.3 session tickets (collector/server/server.cpp), so its
  //    handshake is about 1.5 KB and an acknowledgment a few hundred bytes:
  //    quotas of 2 to 5 KB all cut between the first and the last of the
  //    12 answers; 6 KB, chosen when two tickets (each a copy of the
  //    client's certificate) came first, let all 12 through.
  cut("tcp sport " + port + " quota over 3 kbytes drop");
  const Shell first = agent("submit");
  EXPECT_EQ(first.exit_code, 75) << first.output;
  const std::size_t left_after_first = spooled();
  const std::size_t stored_after_first = collector.stored_reports();
  EXPECT_GT(left_after_first, 0u) << "the cut came too late: " << first.output;
  EXPECT_LT(left_after_first, kReports) << "the cut came too early: " << first.output;
  // The report whose acknowledgment was lost is stored but still spooled.
  EXPECT_EQ(stored_after_first, kReports - left_after_first + 1) << first.output;

  // 2. The agent's packets are dropped: nothing more arrives.
  cut("tcp dport " + port + " drop");
  const Shell second = agent("submit");
  EXPECT_EQ(second.exit_code, 75) << second.output;
  EXPECT_EQ(spooled(), left_after_first);
  EXPECT_EQ(collector.stored_reports(), stored_after_first);

  // 3. The link is back.
  cut("");
  const Shell third = agent("submit");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_EQ(spooled(), 0u);
  EXPECT_NE(third.output.find("1 of them the collector had already stored"), std::string::npos)
      << "the resent report was not a duplicate:\n"
      << third.output;
  const auto rows = history(collector);
  EXPECT_EQ(sequences(rows), one_to(kReports)) << "lost or stored twice: " << rows.dump();
  for (const auto& row : rows) EXPECT_EQ(row.value("chain", ""), "ok") << row.dump();
  std::string verify_output;
  EXPECT_TRUE(collector.verify_passes(&verify_output)) << verify_output;
}

}  // namespace
}  // namespace clinic_audit::delivery
