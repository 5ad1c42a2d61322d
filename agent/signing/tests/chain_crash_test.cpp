// Killing a run at each step never forks or reuses a sequence number, the
// chain still verifies, and every report left is spooled exactly once, whole
// (issue #8 item 4, issue #12 item 2, issue #20 items 6 and 9): every rename
// and unlink of a run has a crash point here. The driver is killed with
// SIGKILL by CLINIC_AUDIT_CRASH_AT (crash_point.hpp).
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "chain_state.hpp"
#include "spool.hpp"
#include "report_files.hpp"
#include "signing_test_support.hpp"
#include "verify.hpp"

namespace clinic_audit::signing {
namespace {

struct CrashCase {
  const char* step;
  std::set<std::uint64_t> sequences_left;  // after runs 1, 2, crashed 3, then 2 more runs
  bool skip_note;                          // the crashed run's number shows as skipped
  const char* driver_env = "";             // for run 3 and after (e.g. a small keep)
  bool spool_is_a_file = false;            // run 3 cannot spool: its set is rolled back
  const char* all_env = "";                // for every run (e.g. a spool of one report)
};

void PrintTo(const CrashCase& c, std::ostream* os) { *os << c.step; }

class CrashAt : public ::testing::TestWithParam<CrashCase> {
 protected:
  test::CommandResult run(int i, const std::string& crash_at = "", const std::string& extra_env = "") {
    const std::string env =
        (crash_at.empty() ? "" : "CLINIC_AUDIT_CRASH_AT=" + test::quote(crash_at) + " ") + extra_env + " ";
    return test::run_shell(env + all_env_ + " CHAIN_DRIVER_ACK_LOG=" + test::quote(dir_ / "acked") + " " +
                           test::quote(CA_SIGNING_CHAIN_DRIVER) + " " + test::quote(dir_ / "state") + " " +
                           test::quote(dir_ / "reports") + " " + test::quote(pair_.key) + " " +
                           test::quote(pair_.cert) + " 20261122T1504" + std::to_string(10 + i) + "Z json xml");
  }
  test::TempDir dir_;
  test::KeyPair pair_ = test::self_signed(dir_.path(), "agent");
  std::string all_env_;
};

TEST_P(CrashAt, NextRunsNeitherForkNorReuse) {
  const CrashCase& c = GetParam();
  all_env_ = c.all_env;
  std::filesystem::create_directories(dir_ / "reports");
  ASSERT_EQ(run(1).output, "1\n");
  ASSERT_EQ(run(2).output, "2\n");
  if (c.spool_is_a_file) {
    std::filesystem::rename(dir_ / "state" / "spool", dir_ / "spool-before");
    test::write_text(dir_ / "state" / "spool", "not a directory");
  }
  const auto crashed = run(3, c.step, c.driver_env);
  ASSERT_EQ(crashed.exit_code, 128 + 9) << "not killed at " << c.step << ": " << crashed.output;
  if (c.spool_is_a_file) {
    // Made a directory again, with the two entries run 1 and 2 spooled.
    std::filesystem::remove(dir_ / "state" / "spool");
    std::filesystem::rename(dir_ / "spool-before", dir_ / "state" / "spool");
  }
  const auto fourth = run(4, "", c.driver_env);
  ASSERT_EQ(fourth.exit_code, 0) << fourth.output;
  ASSERT_EQ(run(5, "", c.driver_env).exit_code, 0);

  std::set<std::uint64_t> sequences;
  for (const ReportSet& set : list_report_sets(dir_ / "reports")) {
    EXPECT_TRUE(set.fully_signed()) << set.stem << " left unsigned";
    const auto sequence = read_chain_fields(*set.chain_carrier()).sequence;
    EXPECT_TRUE(sequences.insert(sequence).second) << "sequence " << sequence << " used twice";
  }
  EXPECT_EQ(sequences, c.sequences_left);
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "reports")) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  }
  const auto state = read_state(dir_ / "state");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->last_sequence, *sequences.rbegin());
  EXPECT_EQ(state->reserved, state->last_sequence);

  // Every report set left is spooled once, whole, byte for byte (the
  // collector will get it); nothing else is in the spool.
  const std::string driver_env = c.driver_env;
  if (std::string(c.all_env).find("SPOOL_MAX") != std::string::npos) {
    // A bounded spool: every report left is acknowledged (in sequence
    // order), spooled or waiting for room, exactly once.
    std::vector<std::uint64_t> acked;
    std::istringstream log(std::filesystem::exists(dir_ / "acked") ? test::read_text(dir_ / "acked") : "");
    for (std::uint64_t sequence = 0; log >> sequence;) acked.push_back(sequence);
    EXPECT_TRUE(std::is_sorted(acked.begin(), acked.end())) << "acknowledged out of order";
    std::multiset<std::uint64_t> everywhere(acked.begin(), acked.end());
    const store::Spool spool(dir_ / "state" / "spool");
    std::uint64_t highest_spooled = 0;
    for (const auto& entry : spool.entries()) {
      everywhere.insert(entry.sequence);
      highest_spooled = std::max(highest_spooled, entry.sequence);
      EXPECT_EQ(test::read_text(entry.report), test::read_text(dir_ / "reports" / entry.name)) << entry.report;
    }
    for (const auto& waiting : spool.waiting()) {
      everywhere.insert(waiting.sequence);
      EXPECT_GT(waiting.sequence, highest_spooled) << "a newer report was spooled before an older one";
      EXPECT_TRUE(std::filesystem::exists(dir_ / "reports" / waiting.name)) << waiting.name;
    }
    EXPECT_EQ(everywhere, std::multiset<std::uint64_t>(c.sequences_left.begin(), c.sequences_left.end()))
        << "a report lost or spooled twice";
  } else if (driver_env.find("ACK_ALL") == std::string::npos) {
    std::set<std::uint64_t> spooled;
    const store::Spool spool(dir_ / "state" / "spool");
    for (const auto& entry : spool.entries()) {
      EXPECT_TRUE(spooled.insert(entry.sequence).second) << entry.report << " spooled twice";
      EXPECT_EQ(test::read_text(entry.report), test::read_text(dir_ / "reports" / entry.name)) << entry.report;
      EXPECT_EQ(test::read_text(entry.signature), test::read_text(dir_ / "reports" / (entry.name + ".p7s")));
    }
    EXPECT_EQ(spooled, c.sequences_left);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "state" / "spool")) {
      if (entry.is_regular_file()) ++files;
    }
    EXPECT_EQ(files, 2 * spooled.size()) << "incomplete or temporary files left in the spool";
  }

  VerifyOptions options;
  options.inputs = {dir_ / "reports"};
  options.ca_file = pair_.cert;
  options.xsd = test::schema_dir() / "report.xsd";
  options.json_schema = test::schema_dir() / "report.schema.json";
  std::ostringstream out;
  EXPECT_EQ(run_verify(options, out), 0) << out.str();
  EXPECT_EQ(out.str().find("skipped by the agent") != std::string::npos, c.skip_note) << out.str();
}

const std::set<std::uint64_t> kAll = {1, 2, 3, 4, 5};
const std::set<std::uint64_t> kSkipped3 = {1, 2, 4, 5};
const std::set<std::uint64_t> kNever3 = {1, 2, 3, 4};
const std::set<std::uint64_t> kLastTwo = {4, 5};
constexpr const char* kKeepTwoAcked = "CHAIN_DRIVER_KEEP=2 CHAIN_DRIVER_ACK_ALL=1";
constexpr const char* kSpoolOfOne = "CHAIN_DRIVER_SPOOL_MAX=1";
constexpr const char* kAckOne = "CHAIN_DRIVER_ACK_ONE=1";

INSTANTIATE_TEST_SUITE_P(
    Steps, CrashAt,
    ::testing::Values(CrashCase{"reserve:temp-written", kNever3, false},  // reservation not durable: nothing handed out
                      CrashCase{"reserve:renamed", kSkipped3, true}, CrashCase{"report:temp-written", kSkipped3, true},
                      CrashCase{"report:renamed", kSkipped3, true},  // JSON written, XML not
                      CrashCase{"reports-written", kSkipped3, true},
                      CrashCase{"signature:temp-written", kSkipped3, true},
                      CrashCase{"signature:renamed", kSkipped3, true},  // JSON signed, XML not
                      CrashCase{"signature:renamed#2", kAll, false},    // both signed, not committed
                      CrashCase{"signed", kAll, false},
                      // Spooling: signature first, then the report, each linked then renamed.
                      CrashCase{"spool:temp-written", kAll, false},  // signature linked, not renamed
                      CrashCase{"spool:renamed", kAll, false},       // signature spooled, report not
                      CrashCase{"spool:temp-written#2", kAll, false},
                      CrashCase{"spool:renamed#2", kAll, false},  // spooled, not committed
                      CrashCase{"spooled", kAll, false}, CrashCase{"commit:temp-written", kAll, false},
                      CrashCase{"commit:renamed", kAll, false},
                      // Rollback of a set that could not be spooled: signatures first.
                      CrashCase{"rollback:signature", kSkipped3, true, "", true},
                      CrashCase{"rollback:signature#2", kSkipped3, true, "", true},
                      CrashCase{"rollback:report", kSkipped3, true, "", true},
                      // Retention after the collector acknowledged everything (keep 2).
                      CrashCase{"prune:removed", kLastTwo, false, kKeepTwoAcked},
                      CrashCase{"prune:removed#2", kLastTwo, false, kKeepTwoAcked},
                      CrashCase{"prune:removed#3", kLastTwo, false, kKeepTwoAcked},
                      // A spool of one report (issue #12 item 4): run 2 waits; run 3 is
                      // killed writing its own marker, or while spooling run 2 after a
                      // submit made room (each later run acknowledges the oldest).
                      CrashCase{"waiting:temp-written", kAll, false, "", false, kSpoolOfOne},
                      CrashCase{"waiting:renamed", kAll, false, "", false, kSpoolOfOne},
                      CrashCase{"waiting:spooled", kAll, false, kAckOne, false, kSpoolOfOne},
                      CrashCase{"spool:renamed#2", kAll, false, kAckOne, false, kSpoolOfOne},
                      CrashCase{"waiting:temp-written", kAll, false, kAckOne, false, kSpoolOfOne}),
    [](const auto& p) {
      std::string name = p.param.step;
      if (std::string(p.param.all_env).find("SPOOL_MAX=1") != std::string::npos) name += "_spool_of_one";
      if (std::string(p.param.driver_env).find("ACK_ONE") != std::string::npos) name += "_ack_one";
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace clinic_audit::signing
