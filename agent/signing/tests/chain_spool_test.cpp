// The store's spool around the chain (issue #12 items 2, 4, 6): bounded,
// never silently dropping, never pruned before acknowledgment, and a spool
// that cannot be written fails the run (73) without harming older reports.
#include <gtest/gtest.h>

#include "report_files.hpp"
#include "report_store.hpp"
#include "sign_report.hpp"
#include "signing_error.hpp"
#include "signing_test_support.hpp"
#include "spool.hpp"

namespace clinic_audit::signing {
namespace {

class ChainSpool : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(options_.reports_dir); }
  // One signed run through the store; returns how the commit spooled it.
  store::CommitResult run() {
    store::PendingSet set = store::PendingSet::begin(options_);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "20261122T%06dZ", ++runs_);
    set.write("testhost",
              {{"json", test::sample_report("json", set.sequence(), set.previous_sha256(), test::random_uuid())}},
              stamp);
    try {
      sign_report_set(identity_, set.files());
      return set.commit();
    } catch (...) {
      set.discard();
      throw;
    }
  }
  std::vector<std::uint64_t> waiting() const {
    std::vector<std::uint64_t> out;
    for (const auto& entry : store::Spool(options_.state_dir / "spool").waiting()) out.push_back(entry.sequence);
    return out;
  }
  // What `submit` does after the collector's 201: removes the oldest `n`.
  void acknowledge(std::size_t n) {
    store::Spool spool(options_.state_dir / "spool");
    auto entries = spool.entries();
    for (std::size_t i = 0; i < n && i < entries.size(); ++i) spool.remove(entries[i]);
  }
  std::vector<std::uint64_t> spooled() const {
    std::vector<std::uint64_t> out;
    for (const auto& entry : store::Spool(options_.state_dir / "spool").entries()) out.push_back(entry.sequence);
    return out;
  }
  test::TempDir dir_;
  test::KeyPair pair_ = test::self_signed(dir_.path(), "agent");
  SigningIdentity identity_ = SigningIdentity::load(pair_.key, pair_.cert);
  store::StoreOptions options_ = [this] {
    store::StoreOptions o;
    o.reports_dir = dir_ / "reports";
    o.state_dir = dir_ / "state";
    o.spool = true;
    return o;
  }();
  int runs_ = 0;
};

TEST_F(ChainSpool, FullSpoolKeepsTheOldestAndNewRunsStillWriteLocally) {
  options_.spool_limits.max_reports = 2;
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::yes);
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::yes);
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::full);
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::full);
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(waiting(), (std::vector<std::uint64_t>{3, 4}));
  EXPECT_EQ(list_report_sets(options_.reports_dir).size(), 4u);
  EXPECT_EQ(store::spool_not_spooled_total(options_.state_dir), 2u);
  const std::string metrics = test::read_text(options_.state_dir / "spool.prom");
  EXPECT_NE(metrics.find("clinic_audit_spool_reports 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("clinic_audit_spool_waiting 2\n"), std::string::npos) << metrics;
}

// Issue #12 item 4 "never silently drop": what did not fit is spooled by a
// later run as soon as acknowledgements make room, lowest sequence first,
// and a newer report never overtakes one that waits.
TEST_F(ChainSpool, WaitingReportsAreSpooledInOrderWhenRoomFreesUp) {
  options_.spool_limits.max_reports = 2;
  for (int i = 0; i < 5; ++i) run();
  ASSERT_EQ(spooled(), (std::vector<std::uint64_t>{1, 2}));
  ASSERT_EQ(waiting(), (std::vector<std::uint64_t>{3, 4, 5}));
  acknowledge(1);  // room for one: 3 goes in, 4, 5 and the new 6 wait
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::full);
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(waiting(), (std::vector<std::uint64_t>{4, 5, 6}));
  acknowledge(2);  // room for two: 4, 5; 6 and the new 7 wait
  run();
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(waiting(), (std::vector<std::uint64_t>{6, 7}));
  acknowledge(2);  // 6, 7 go in; the new 8 waits (the spool is full again)
  run();
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{6, 7}));
  EXPECT_EQ(waiting(), (std::vector<std::uint64_t>{8}));
  options_.spool_limits.max_reports = 10;  // the administrator raised the limit
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::yes);
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{6, 7, 8, 9}));
  EXPECT_TRUE(waiting().empty());
  // The spooled copies are the reports of the reports directory, byte for byte.
  for (const auto& entry : store::Spool(options_.state_dir / "spool").entries()) {
    EXPECT_EQ(test::read_text(entry.report), test::read_text(options_.reports_dir / entry.name));
    EXPECT_EQ(read_chain_fields(entry.report).sequence, entry.sequence);
  }
  const std::string metrics = test::read_text(options_.state_dir / "spool.prom");
  EXPECT_NE(metrics.find("clinic_audit_spool_waiting 0\n"), std::string::npos) << metrics;
}

TEST_F(ChainSpool, RetentionNeverRemovesAWaitingReport) {
  options_.spool_limits.max_reports = 1;
  options_.keep = 1;
  for (int i = 0; i < 4; ++i) run();
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(waiting(), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(list_report_sets(options_.reports_dir).size(), 4u) << "a waiting report was pruned";
  acknowledge(1);
  run();  // 2 spooled; 1 acknowledged and beyond keep=1: pruned
  const auto sets = list_report_sets(options_.reports_dir);
  ASSERT_EQ(sets.size(), 4u);
  EXPECT_EQ(read_chain_fields(*sets[0].chain_carrier()).sequence, 2u);
}

TEST_F(ChainSpool, AWaitingReportRemovedByHandIsReportedAndSkipped) {
  options_.spool_limits.max_reports = 1;
  for (int i = 0; i < 3; ++i) run();
  ASSERT_EQ(waiting(), (std::vector<std::uint64_t>{2, 3}));
  const auto sets = list_report_sets(options_.reports_dir);
  for (const auto* files : {&sets[1].signatures, &sets[1].reports}) {
    for (const auto& file : *files) std::filesystem::remove(file);
  }
  acknowledge(1);
  store::Spool spool(options_.state_dir / "spool");
  const store::DrainResult drained = spool.spool_waiting(options_.spool_limits);
  EXPECT_EQ(drained.spooled, 1u);
  ASSERT_EQ(drained.missing.size(), 1u);
  EXPECT_EQ(drained.missing[0].filename(), sets[1].reports[0].filename());
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{3}));
  EXPECT_TRUE(waiting().empty());
}

TEST_F(ChainSpool, AReportLargerThanTheByteLimitStillGoesAloneIntoAnEmptySpool) {
  options_.spool_limits.max_bytes = 10;
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::yes);
  EXPECT_EQ(run().spooled, store::CommitResult::Spooled::full);
  acknowledge(1);
  run();
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(waiting(), (std::vector<std::uint64_t>{3}));
}

TEST_F(ChainSpool, RetentionNeverRemovesASpooledReport) {
  options_.keep = 1;
  for (int i = 0; i < 3; ++i) run();
  EXPECT_EQ(list_report_sets(options_.reports_dir).size(), 3u) << "a spooled report was pruned";
  // The collector acknowledged 1 and 2 (submit removed them from the spool).
  store::Spool spool(options_.state_dir / "spool");
  for (const auto& entry : spool.entries()) {
    if (entry.sequence <= 2) spool.remove(entry);
  }
  run();
  const auto sets = list_report_sets(options_.reports_dir);
  ASSERT_EQ(sets.size(), 2u);  // 3 (still spooled) and 4 (the newest)
  EXPECT_EQ(read_chain_fields(*sets[0].chain_carrier()).sequence, 3u);
}

TEST_F(ChainSpool, UnwritableSpoolFailsTheRunAndKeepsOlderReports) {
  run();
  const auto before = list_report_sets(options_.reports_dir);
  std::filesystem::rename(options_.state_dir / "spool", dir_ / "spool-aside");
  test::write_text(options_.state_dir / "spool", "a file where the spool directory should be");
  try {
    run();
    FAIL() << "the run did not fail";
  } catch (const SigningError& e) {
    EXPECT_EQ(e.exit_code(), kExitCannotWrite);
    EXPECT_NE(std::string(e.what()).find("spool"), std::string::npos) << e.what();
  }
  const auto after = list_report_sets(options_.reports_dir);
  ASSERT_EQ(after.size(), before.size()) << "the unspooled set was left behind";
  EXPECT_EQ(after[0].reports, before[0].reports);
  EXPECT_TRUE(after[0].fully_signed());
}

}  // namespace
}  // namespace clinic_audit::signing
