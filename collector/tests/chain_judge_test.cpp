// judge_next() (agent/signing/chain_judge.cpp), the collector's per-report
// chain judgement (issue #11 item 5), on histories built by hand.
#include <gtest/gtest.h>

#include "chain_check.hpp"

namespace clinic_audit::signing {
namespace {

ChainLinkInfo link(std::uint64_t sequence, std::optional<std::string> previous, const std::string& sha,
                   const std::string& key = "k1") {
  return {"id-" + sha, sequence, std::move(previous), sha, key};
}

HostChainState history(std::vector<ChainLinkInfo> links) {
  HostChainState state;
  state.known_host = !links.empty();
  state.current_fingerprint = "k1";
  state.keys.push_back({"k1", false, 1});
  state.links = std::move(links);
  return state;
}

std::string kinds(const ChainVerdict& verdict) {
  std::string out;
  for (const auto& anomaly : verdict.anomalies) out += anomaly.kind + " ";
  return out;
}

TEST(ChainJudge, InOrderAndFirstReportsAreOk) {
  EXPECT_EQ(kinds(judge_next({}, link(1, std::nullopt, "a"))), "");
  EXPECT_EQ(kinds(judge_next({}, link(7, "zz", "g"))), "");  // the chain began before this collector
  EXPECT_EQ(kinds(judge_next(history({link(1, std::nullopt, "a")}), link(2, "a", "b"))), "");
  // Numbers the agent skipped (chained directly to the latest): no gap.
  EXPECT_EQ(kinds(judge_next(history({link(1, std::nullopt, "a")}), link(4, "a", "d"))), "");
}

TEST(ChainJudge, GapCountsTheMissingReports) {
  const auto verdict = judge_next(history({link(1, std::nullopt, "a")}), link(5, "d", "e"));
  ASSERT_EQ(kinds(verdict), "gap ");
  EXPECT_EQ(verdict.anomalies[0].seq_from, 2U);
  EXPECT_EQ(verdict.anomalies[0].seq_to, 4U);
  EXPECT_NE(verdict.anomalies[0].detail.find("3 report(s) missing"), std::string::npos);
}

TEST(ChainJudge, LateReportSplitsAndResolvesItsGap) {
  HostChainState state = history({link(1, std::nullopt, "a"), link(5, "d", "e")});
  state.open_gaps.push_back({42, 2, 4});
  auto verdict = judge_next(state, link(3, "b", "c"));
  EXPECT_EQ(kinds(verdict), "");
  ASSERT_EQ(verdict.gap_fills.size(), 1U);
  EXPECT_EQ(verdict.gap_fills[0].gap_id, 42);
  ASSERT_EQ(verdict.gap_fills[0].remaining.size(), 2U);
  EXPECT_EQ(verdict.gap_fills[0].remaining[0].seq_to, 2U);
  EXPECT_EQ(verdict.gap_fills[0].remaining[1].seq_from, 4U);
  state.open_gaps = {{43, 4, 4}};
  verdict = judge_next(state, link(4, "c", "d"));
  ASSERT_EQ(verdict.gap_fills.size(), 1U);
  EXPECT_TRUE(verdict.gap_fills[0].remaining.empty());
  // A late report that does not link to its stored neighbours is a fork.
  state.links.push_back(link(3, "b", "c"));
  verdict = judge_next(state, link(4, "other", "d2"));
  EXPECT_EQ(kinds(verdict), "fork fork ");
}

TEST(ChainJudge, ReplayForkRestart) {
  const HostChainState state = history({link(1, std::nullopt, "a"), link(2, "a", "b")});
  ChainLinkInfo replay = link(2, "a", "b2");
  replay.report_id = "id-b";
  EXPECT_EQ(kinds(judge_next(state, replay)), "replay ");
  EXPECT_EQ(kinds(judge_next(state, link(2, "a", "b3"))), "fork ");
  EXPECT_EQ(kinds(judge_next(state, link(3, "a", "c"))), "fork ");   // follows 1, not the latest 2
  EXPECT_EQ(kinds(judge_next(state, link(3, "zz", "c"))), "fork ");  // follows a report never received
  EXPECT_EQ(kinds(judge_next(state, link(3, std::nullopt, "c"))), "restart ");
  EXPECT_EQ(kinds(judge_next(state, link(1, std::nullopt, "a2"))), "fork ");  // sequence 1 taken
}

TEST(ChainJudge, KeysIdentityChangeCloneAndRekey) {
  HostChainState state = history({link(1, std::nullopt, "a")});
  auto verdict = judge_next(state, link(2, "a", "b", "k2"));
  EXPECT_EQ(kinds(verdict), "identity_change ");
  EXPECT_TRUE(verdict.becomes_current_key);
  // k2 became current; k1 comes back: two machines share the machine-id.
  state.current_fingerprint = "k2";
  state.keys.push_back({"k2", false, 2});
  verdict = judge_next(state, link(2, "a", "b", "k1"));
  EXPECT_EQ(kinds(verdict), "clone ");
  EXPECT_FALSE(verdict.becomes_current_key);
  // A key issued by (re-)enrolment is an explicit re-key.
  state.keys.push_back({"k3", true, 3});
  EXPECT_EQ(kinds(judge_next(state, link(2, "a", "b", "k3"))), "");
}

TEST(ChainJudge, OverflowNeverWraps) {
  const HostChainState state = history({link(kMaxSequence, "x", "a")});
  EXPECT_EQ(kinds(judge_next(state, link(0, "a", "b"))), "fork ");
  EXPECT_EQ(kinds(judge_next(state, link(kMaxSequence + 1, "a", "b"))), "fork ");
}

}  // namespace
}  // namespace clinic_audit::signing
