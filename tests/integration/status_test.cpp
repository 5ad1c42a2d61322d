// `clinic-audit status` (issue #15 item 6): the newest stored report for a
// monitoring system, without auditing again. Oracles: promtool for the
// Prometheus text, the Monitoring Plugins exit codes, the kernel's
// permission checks for an unprivileged user (setpriv).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "run_agent.hpp"
#include "schema_validation.hpp"

namespace clinic_audit::testing {
namespace {

namespace fs = std::filesystem;

class Status : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fixture_dir("status");
    reports_ = base_ / "reports";
    fs::create_directories(reports_);
    FixtureRoot root(base_ / "root");
    root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
    root_ = root.path();
  }
  void TearDown() override { fs::remove_all(base_); }

  // One audit of the fixture root written to reports_; returns its exit code.
  int audit() {
    const AgentRun run = run_agent({"run", "--root", root_.string(), "--policy", "apicrypt-v1", "--offline",
                                    "--no-sign", "--format", "json", "--format", "nagios", "--out", reports_.string()});
    return run.exit_code;
  }

  AgentRun status(std::vector<std::string> args) {
    args.insert(args.begin(), {"status", "--reports", reports_.string()});
    return run_agent(args);
  }

  fs::path base_, reports_, root_;
};

TEST_F(Status, NagiosRendersTheStoredReportWithItsExitCode) {
  const int audit_code = audit();
  ASSERT_LE(audit_code, 2);
  const AgentRun run = status({});
  EXPECT_EQ(run.out.rfind("CLINIC-AUDIT ", 0), 0u) << run.out;
  // The stored Nagios rendering of the same run is the oracle for the state.
  std::string stored;
  for (const auto& entry : fs::directory_iterator(reports_)) {
    if (entry.path().string().ends_with(".nagios.txt")) {
      std::ifstream in(entry.path());
      std::getline(in, stored);
    }
  }
  ASSERT_FALSE(stored.empty());
  // Text before the perfdata: the duration there is re-derived from the
  // stored second-resolution timestamps.
  EXPECT_EQ(run.out.substr(0, run.out.find(" | ")), stored.substr(0, stored.find(" | ")));
  const int expected = stored.find(" OK ") != std::string::npos         ? 0
                       : stored.find(" WARNING ") != std::string::npos  ? 1
                       : stored.find(" CRITICAL ") != std::string::npos ? 2
                                                                        : 3;
  EXPECT_EQ(run.exit_code, expected) << run.out;
  EXPECT_NE(run.out.find("report: "), std::string::npos);
}

TEST_F(Status, ReportOlderThanMaxAgeIsUnknown) {
  ASSERT_LE(audit(), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  const AgentRun run = status({"--max-age", "0.0005"});  // 1.8 s
  EXPECT_EQ(run.exit_code, 3) << run.out;
  EXPECT_EQ(run.out.rfind("CLINIC-AUDIT UNKNOWN - newest report", 0), 0u) << run.out;
  EXPECT_NE(run.out.find("--max-age"), std::string::npos);
  const AgentRun fresh = status({"--max-age", "1"});
  EXPECT_NE(fresh.exit_code, 3) << fresh.out;
}

TEST_F(Status, NoReportAndBrokenNewestReportAreUnknown) {
  AgentRun run = status({});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out.rfind("CLINIC-AUDIT UNKNOWN - no JSON report in ", 0), 0u) << run.out;
  ASSERT_LE(audit(), 2);
  // A newer, broken report: UNKNOWN naming it, never the older one instead.
  const fs::path broken = reports_ / "clinic-audit-host-29991231T235959Z.json";
  std::ofstream(broken) << "{\"schema\": \"clinic-audit/report/1\", \"results\": 3}";
  run = status({});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.out.find(broken.string()), std::string::npos) << run.out;
  run = run_agent({"status", "--reports", (base_ / "missing").string()});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.out.find("cannot read"), std::string::npos) << run.out;
}

TEST_F(Status, NagiosUsageErrorsExit3VersionAndTimeoutOptions) {
  AgentRun run = run_agent({"status", "--bogus"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out.rfind("CLINIC-AUDIT UNKNOWN - usage: ", 0), 0u) << run.out;
  run = run_agent({"status", "--max-age", "-1"});
  EXPECT_EQ(run.exit_code, 3) << run.out;
  run = run_agent({"status", "--format", "json", "--bogus"});
  EXPECT_EQ(run.exit_code, 64) << "other formats keep the agent's usage code";
  for (const char* flag : {"-V", "--version"}) {
    run = run_agent({"status", flag});
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out.rfind("clinic-audit status ", 0), 0u) << run.out;
  }
  run = run_agent({"status", "--help"});
  EXPECT_NE(run.out.find("-t,--timeout"), std::string::npos) << run.out;
}

TEST_F(Status, PrometheusWrittenAtomicallyToOneFixedFile) {
  ASSERT_LE(audit(), 2);
  const fs::path textfile_dir = base_ / "node-exporter";
  fs::create_directories(textfile_dir);
  const fs::path prom = textfile_dir / "clinic-audit.prom";
  for (int i = 0; i < 2; ++i) {
    ASSERT_LE(audit(), 2);
    const AgentRun run = status({"--format", "prometheus", "--out", prom.string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(textfile_dir)) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1u) << "one fixed file, no timestamped copies, no temporary left";
  std::ifstream in(prom);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(validate_prometheus_metrics(text), "");
  EXPECT_NE(text.find("clinic_audit_report_fresh 1\n"), std::string::npos);
  EXPECT_NE(text.find("clinic_audit_check_status{"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(prom.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u) << "node_exporter runs as its own user";

  const AgentRun stale = status({"--format", "prometheus", "--max-age", "0.00001"});
  EXPECT_EQ(stale.exit_code, 3);
  EXPECT_EQ(validate_prometheus_metrics(stale.out), "");
  EXPECT_NE(stale.out.find("clinic_audit_report_fresh 0\n"), std::string::npos) << stale.out;
  EXPECT_EQ(stale.out.find("clinic_audit_check_status"), std::string::npos) << "no stale verdicts";
}

TEST_F(Status, JsonCarriesStateAndReport) {
  ASSERT_LE(audit(), 2);
  const AgentRun run = status({"--format", "json"});
  EXPECT_NE(run.out.find("\"state\": \""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"schema\": \"clinic-audit/report/1\""), std::string::npos);
}

// The monitoring user: not root, member of the reports directory's group.
TEST_F(Status, UnprivilegedGroupMemberReadsTheReports) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
  ASSERT_LE(audit(), 2);
  constexpr gid_t kGroup = 65534;  // nogroup
  fs::permissions(base_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  ASSERT_EQ(::chown(reports_.c_str(), 0, kGroup), 0);
  ASSERT_EQ(::chmod(reports_.c_str(), 02750), 0);
  for (const auto& entry : fs::directory_iterator(reports_)) ::chmod(entry.path().c_str(), 0640);
  for (const auto& entry : fs::directory_iterator(reports_)) ASSERT_EQ(::chown(entry.path().c_str(), 0, kGroup), 0);
  ProcessRunner runner;
  auto as_user = [&](const std::string& groups) {
    CommandSpec spec;
    spec.program = "/usr/bin/setpriv";
    spec.args = {"--reuid=65534", "--regid=65534", groups, agent_binary(), "status", "--reports", reports_.string()};
    spec.timeout = std::chrono::seconds(30);
    return runner.run(spec);
  };
  const CommandResult member = as_user("--groups=65534");
  EXPECT_NE(member.exit_code, 3) << member.out << member.err;
  EXPECT_EQ(member.out.rfind("CLINIC-AUDIT ", 0), 0u) << member.out;
  ASSERT_EQ(::chown(reports_.c_str(), 0, 0), 0);
  const CommandResult outsider = as_user("--clear-groups");
  EXPECT_EQ(outsider.exit_code, 3) << outsider.out;
  EXPECT_NE(outsider.out.find("group clinic-audit"), std::string::npos) << outsider.out;
}

}  // namespace
}  // namespace clinic_audit::testing
