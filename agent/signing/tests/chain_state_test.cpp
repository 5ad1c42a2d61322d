// ChainState: numbering, previous_sha256, recovery, locking (issue #8 item 4).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "chain_state.hpp"
#include "report_files.hpp"
#include "signing_error.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

class Chain : public ::testing::Test {
 protected:
  // One complete run: reserve, write a JSON and a text report, sign, commit.
  std::vector<std::filesystem::path> run(const std::string& timestamp) {
    ChainState chain = ChainState::begin(state_, reports_);
    const auto files = test::write_signed_set(SigningIdentity::load(pair_.key, pair_.cert), reports_, timestamp,
                                              chain.sequence(), chain.previous_sha256(), {"txt", "json"});
    chain.commit(choose_primary(files));
    return files;
  }
  test::TempDir dir_;
  std::filesystem::path state_ = dir_ / "state";
  std::filesystem::path reports_ = dir_ / "reports";
  test::KeyPair pair_ = test::self_signed(dir_.path(), "agent");
  void SetUp() override { std::filesystem::create_directories(reports_); }
};

TEST_F(Chain, FirstReportIsOneWithNullPreviousThenEachChainsToThePrimary) {
  {
    ChainState first = ChainState::begin(state_, reports_);
    EXPECT_EQ(first.sequence(), 1u);
    EXPECT_FALSE(first.previous_sha256());
  }
  // The dropped reservation above (no commit) still consumed number 1.
  const auto files = run("20261122T150401Z");
  EXPECT_EQ(read_chain_fields(files[1]).sequence, 2u);
  ChainState next = ChainState::begin(state_, reports_);
  EXPECT_EQ(next.sequence(), 3u);
  // Primary is the JSON report although the text one was written first.
  EXPECT_EQ(next.previous_sha256(), sha256_hex(test::read_text(files[1])));
  const auto state = read_state(state_);
  EXPECT_EQ(state->last_report, std::filesystem::absolute(files[1]));
}

TEST_F(Chain, LostStateResumesFromTheReportsDirectory) {
  run("20261122T150401Z");
  const auto second = run("20261122T150402Z");
  std::filesystem::remove_all(state_);
  ChainState chain = ChainState::begin(state_, reports_);
  EXPECT_EQ(chain.sequence(), 3u);
  EXPECT_EQ(chain.previous_sha256(), sha256_hex(test::read_text(second[1])));
}

TEST_F(Chain, CorruptStateIsRefusedWithTheLine) {
  std::filesystem::create_directories(state_);
  test::write_text(state_ / "state", "format 1\nreserved twelve\n");
  try {
    ChainState::begin(state_, reports_);
    FAIL();
  } catch (const SigningError& error) {
    EXPECT_EQ(error.exit_code(), 65);
    EXPECT_EQ(std::string(error.what()), (state_ / "state").string() + ":2: expected a number, found \"twelve\"");
  }
}

TEST_F(Chain, ConcurrentRunsAreSerialisedByTheLock) {
  ChainState first = ChainState::begin(state_, reports_);
  std::atomic<std::uint64_t> second_sequence{0};
  std::thread other([&] { second_sequence = ChainState::begin(state_, reports_).sequence(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(second_sequence.load(), 0u) << "second run did not wait for the lock";
  const auto files = test::write_signed_set(SigningIdentity::load(pair_.key, pair_.cert), reports_, "20261122T150401Z",
                                            first.sequence(), first.previous_sha256(), {"json"});
  first.commit(files[0]);
  other.join();
  EXPECT_EQ(second_sequence.load(), 2u);
}

TEST_F(Chain, TemporaryFilesOfInterruptedWritesAreRemoved) {
  const std::string name = "clinic-audit-testhost-20261122T150401Z.json";
  for (const std::string& temp : {"." + name + ".tmp-Ab12Cd", "." + name + ".Xy34Zw", "." + name + ".p7s.tmp-Qq1Ww2"}) {
    test::write_text(reports_ / temp, "partial");
  }
  test::write_text(reports_ / ".unrelated.Xy34Zw", "kept");
  ChainState chain = ChainState::begin(state_, reports_);
  EXPECT_EQ(chain.removed_leftovers().size(), 3u);
  EXPECT_TRUE(std::filesystem::exists(reports_ / ".unrelated.Xy34Zw"));
  EXPECT_FALSE(std::filesystem::exists(reports_ / ("." + name + ".Xy34Zw")));
}

TEST_F(Chain, UnsignedRunsAreCompleteWithoutSignatures) {
  {
    ChainState chain = ChainState::begin(state_, reports_, /*signing=*/false);
    const auto json = test::report_path(reports_, "20261122T150401Z", "json");
    test::write_text(json, test::sample_report("json", chain.sequence(), chain.previous_sha256()));
    // Crash before commit: the destructor releases the lock, no commit.
  }
  ChainState next = ChainState::begin(state_, reports_);
  EXPECT_EQ(next.sequence(), 2u);
  EXPECT_TRUE(next.previous_sha256()) << "the --no-sign report was rolled forward";
  EXPECT_TRUE(next.removed_leftovers().empty());
}

// Issue #20 item 9: a planted unsigned report (here with the highest
// sequence there is) does not move the chain: the next number follows the
// signed ones and nothing wraps.
TEST_F(Chain, UnsignedFilesDoNotChooseTheNextSequence) {
  run("20261122T150401Z");
  test::write_text(test::report_path(reports_, "20261122T150402Z", "json"),
                   test::sample_report("json", 18446744073709551615ULL, std::string(64, 'a')));
  ChainState next = ChainState::begin(state_, reports_);
  EXPECT_EQ(next.sequence(), 2u);
}

// Issue #20 item 9: a manual `run --out OTHER` sharing the state directory
// keeps its own chain; the main directory's chain shows no gap.
TEST_F(Chain, AnotherReportsDirectoryKeepsItsOwnChain) {
  run("20261122T150401Z");
  const auto other = dir_ / "manual";
  std::filesystem::create_directories(other);
  {
    ChainState chain = ChainState::begin(state_, other);
    EXPECT_FALSE(chain.is_main_chain());
    EXPECT_EQ(chain.sequence(), 1u);
    EXPECT_FALSE(chain.previous_sha256());
    const auto files = test::write_signed_set(SigningIdentity::load(pair_.key, pair_.cert), other, "20261122T150402Z",
                                              chain.sequence(), chain.previous_sha256(), {"json"});
    chain.commit(choose_primary(files));
  }
  run("20261122T150403Z");
  {
    ChainState main_chain = ChainState::begin(state_, reports_);
    EXPECT_TRUE(main_chain.is_main_chain());
    EXPECT_EQ(main_chain.sequence(), 3u);
  }
  ChainState manual = ChainState::begin(state_, other);
  EXPECT_EQ(manual.sequence(), 2u);
}

// The package creates STATE_DIR/reports: a first manual run elsewhere does
// not become the chain the collector follows.
TEST_F(Chain, StateDirectoryReportsIsTheMainChainFromTheStart) {
  std::filesystem::create_directories(state_ / "reports");
  {
    ChainState manual = ChainState::begin(state_, reports_);
    EXPECT_FALSE(manual.is_main_chain());
  }
  ChainState timer = ChainState::begin(state_, state_ / "reports");
  EXPECT_TRUE(timer.is_main_chain());
  EXPECT_EQ(timer.sequence(), 1u);
}

}  // namespace
}  // namespace clinic_audit::signing
