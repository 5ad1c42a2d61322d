// Killing a run at each step never forks or reuses a sequence number, and
// the chain still verifies (issue #8 item 4). The driver is killed with
// SIGKILL by CLINIC_AUDIT_CRASH_AT (crash_point.hpp).
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "chain_state.hpp"
#include "report_files.hpp"
#include "signing_test_support.hpp"
#include "verify.hpp"

namespace clinic_audit::signing {
namespace {

struct CrashCase {
  const char* step;
  std::set<std::uint64_t> sequences_left;  // after runs 1, 2, crashed 3, then 2 more runs
  bool skip_note;                          // the crashed run's number shows as skipped
};

void PrintTo(const CrashCase& c, std::ostream* os) { *os << c.step; }

class CrashAt : public ::testing::TestWithParam<CrashCase> {
 protected:
  test::CommandResult run(int i, const std::string& crash_at = "") {
    const std::string env = crash_at.empty() ? "" : "CLINIC_AUDIT_CRASH_AT=" + test::quote(crash_at) + " ";
    return test::run_shell(env + test::quote(CA_SIGNING_CHAIN_DRIVER) + " " + test::quote(dir_ / "state") + " " +
                           test::quote(dir_ / "reports") + " " + test::quote(pair_.key) + " " + test::quote(pair_.cert) +
                           " 20261122T1504" + std::to_string(10 + i) + "Z json xml");
  }
  test::TempDir dir_;
  test::KeyPair pair_ = test::self_signed(dir_.path(), "agent");
};

TEST_P(CrashAt, NextRunsNeitherForkNorReuse) {
  const CrashCase& c = GetParam();
  std::filesystem::create_directories(dir_ / "reports");
  ASSERT_EQ(run(1).output, "1\n");
  ASSERT_EQ(run(2).output, "2\n");
  const auto crashed = run(3, c.step);
  ASSERT_EQ(crashed.exit_code, 128 + 9) << "not killed at " << c.step << ": " << crashed.output;
  const auto fourth = run(4);
  ASSERT_EQ(fourth.exit_code, 0) << fourth.output;
  ASSERT_EQ(run(5).exit_code, 0);

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

INSTANTIATE_TEST_SUITE_P(
    Steps, CrashAt,
    ::testing::Values(CrashCase{"reserve:temp-written", kNever3, false},  // reservation not durable: nothing handed out
                      CrashCase{"reserve:renamed", kSkipped3, true},
                      CrashCase{"report:temp-written", kSkipped3, true},
                      CrashCase{"report:renamed", kSkipped3, true},      // JSON written, XML not
                      CrashCase{"reports-written", kSkipped3, true},
                      CrashCase{"signature:temp-written", kSkipped3, true},
                      CrashCase{"signature:renamed", kSkipped3, true},   // JSON signed, XML not
                      CrashCase{"signature:renamed#2", kAll, false},     // both signed, not committed
                      CrashCase{"signed", kAll, false},
                      CrashCase{"commit:temp-written", kAll, false},
                      CrashCase{"commit:renamed", kAll, false}),
    [](const auto& p) {
      std::string name = p.param.step;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace clinic_audit::signing
