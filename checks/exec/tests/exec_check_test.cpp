// The `exec` check type with small Monitoring Plugins written by the test:
// exit codes, summaries, perfdata, timeouts, signals, environment.
#include "exec/exec_check.hpp"

#include <chrono>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/command_runner.hpp"
#include "check_test_helpers.hpp"
#include "fixture_root.hpp"

namespace clinic_audit {

// Readable evidence in assertion messages (found by gtest through ADL).
static void PrintTo(const Evidence& e, std::ostream* out) {
  *out << "{path=" << e.path << " observed=" << e.observed << " expected=" << e.expected << "}";
}

namespace {

using testing::FixtureRoot;
using testing::fixture_dir;

using testing::params;
using testing::test_name;

class ExecCheckTest : public ::testing::Test {
 protected:
  // The audited root; plugins live beside it (they run on the auditing machine).
  ExecCheckTest()
      : root_(fixture_dir("exec/" + test_name() + "/root")), plugins_(fixture_dir("exec/" + test_name() + "/plugins")) {
    root_.debian_accounts();
  }

  // Writes an executable /bin/sh plugin; returns its absolute path.
  std::string plugin(const std::string& name, const std::string& body) {
    plugins_.file("/" + name, "#!/bin/sh\n" + body + "\n", 0755);
    return plugins_.host("/" + name).string();
  }

  // Runs the check on the fixture root; plugins here honour CLINIC_AUDIT_ROOT
  // unless the test says otherwise.
  Outcome run(const Params& given, bool offline = false) {
    Params p = given;
    if (!p.has("supports_root")) p.add("supports_root", "true");
    RootFs fs(root_.path());
    ProcessRunner runner;
    NetworkSettings network;
    network.offline = offline;
    Context context(fs, runner, network);
    const auto check = exec_check_type().create(p);
    EXPECT_TRUE(p.unread().empty()) << "parameter not read by the factory: " << p.unread().front();
    return check->run(context);
  }

  FixtureRoot root_;
  FixtureRoot plugins_;
};

TEST_F(ExecCheckTest, TypeDescription) {
  const CheckType type = exec_check_type();
  EXPECT_EQ(type.name, "exec");
  EXPECT_FALSE(type.uses_network);
  EXPECT_EQ(type.description,
            "external plugin with Monitoring Plugins exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)");
}

TEST_F(ExecCheckTest, OkIsPassWithFirstLineWithoutPerfdata) {
  const std::string p = plugin("check_ok", "echo 'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968'\n"
                                           "echo '/ 15272 MB (77%);'\necho 'long text | more=1'\nexit 0");
  const Outcome o = run(params({{"command", p}}));
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.summary, "DISK OK - free space: / 3326 MB (56%);");
  EXPECT_EQ(o.evidence, (std::vector<Evidence>{{p, std::nullopt, "exit 0", "exit 0 (OK)"}}));
}

TEST_F(ExecCheckTest, WarningAndCriticalAreFailures) {
  const std::string w = plugin("check_w", "echo 'WARNING - 3 updates pending|updates=3'; exit 1");
  const Outcome warn = run(params({{"command", w}}));
  EXPECT_EQ(warn.status, Status::fail);
  EXPECT_EQ(warn.summary, "WARNING - 3 updates pending");
  EXPECT_EQ(warn.evidence, (std::vector<Evidence>{{w, std::nullopt, "exit 1 (WARNING)", "exit 0 (OK)"}}));

  const std::string c = plugin("check_c", "printf 'CRITICAL - backup is 9 days old\\r\\n'; exit 2");
  const Outcome crit = run(params({{"command", c}}));
  EXPECT_EQ(crit.status, Status::fail);
  EXPECT_EQ(crit.summary, "CRITICAL - backup is 9 days old");
  EXPECT_EQ(crit.evidence, (std::vector<Evidence>{{c, std::nullopt, "exit 2 (CRITICAL)", "exit 0 (OK)"}}));
}

TEST_F(ExecCheckTest, UnknownIsAnError) {
  const std::string u = plugin("check_u", "echo 'UNKNOWN - cannot reach the database'; exit 3");
  const Outcome o = run(params({{"command", u}}));
  EXPECT_EQ(o.status, Status::error);
  EXPECT_EQ(o.summary, "UNKNOWN - cannot reach the database");
  EXPECT_EQ(o.evidence, (std::vector<Evidence>{{u, std::nullopt, "exit 3 (UNKNOWN)", "exit 0 (OK)"}}));
}

TEST_F(ExecCheckTest, OtherExitCodeIsAnError) {
  const std::string p = plugin("check_7", "echo 'something odd'; exit 7");
  const Outcome o = run(params({{"command", p}}));
  EXPECT_EQ(o.status, Status::error);
  EXPECT_EQ(o.summary, p + " exited 7: something odd");
  EXPECT_EQ(o.evidence,
            (std::vector<Evidence>{{p, std::nullopt, "exit 7 (not a Monitoring Plugins status)", "exit 0 (OK)"}}));
}

TEST_F(ExecCheckTest, EmptyOutputAndStderrFallback) {
  const std::string silent = plugin("check_silent", "exit 0");
  const Outcome o = run(params({{"command", silent}}));
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.summary, "(no output)");

  const std::string perf_only = plugin("check_perf", "echo ' | a=1'; exit 1");
  const Outcome p = run(params({{"command", perf_only}}));
  EXPECT_EQ(p.status, Status::fail);
  EXPECT_EQ(p.summary, "(no output)");

  const std::string err = plugin("check_err", "echo 'CRITICAL - config missing | x=1' >&2; echo second >&2; exit 2");
  const Outcome e = run(params({{"command", err}}));
  EXPECT_EQ(e.status, Status::fail);
  EXPECT_EQ(e.summary, "CRITICAL - config missing");
}

TEST_F(ExecCheckTest, ArgumentsInOrderWithoutAShell) {
  const std::string p = plugin("check_args", "echo \"OK $# [$1] [$2] [$3]\"");
  const Outcome o = run(params({{"command", p}, {"arg", "-w"}, {"arg", "80%"}, {"arg", "$HOME; rm -rf /"}}));
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.summary, "OK 3 [-w] [80%] [$HOME; rm -rf /]");
}

TEST_F(ExecCheckTest, EnvironmentHasTheAuditedRootAndNothingElse) {
  const std::string p =
      plugin("check_env",
             "echo \"OK root=$CLINIC_AUDIT_ROOT path=$PATH lang=$LANG home=${HOME-unset} n=$(env | wc -l)\"");
  const Outcome o = run(params({{"command", p}}));
  EXPECT_EQ(o.status, Status::pass);
  // sh adds PWD to what it was given: CLINIC_AUDIT_ROOT, PATH, LANG.
  EXPECT_EQ(o.summary,
            "OK root=" + root_.path().string() + " path=/usr/sbin:/usr/bin:/sbin:/bin lang=C home=unset n=4");
}

TEST_F(ExecCheckTest, TimeoutIsAnErrorAndFast) {
  const std::string p = plugin("check_hang", "echo 'starting'; sleep 30 & sleep 30");
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = run(params({{"command", p}, {"timeout_seconds", "1"}}));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(o.status, Status::error);
  EXPECT_EQ(o.summary, p + " did not finish within 1 s and was killed, with every process it started");
  EXPECT_TRUE(o.evidence.empty());
  EXPECT_GE(elapsed, std::chrono::milliseconds(950));
  EXPECT_LT(elapsed, std::chrono::seconds(4));
}

TEST_F(ExecCheckTest, KilledBySignalIsAnError) {
  const std::string p = plugin("check_kill", "echo 'OK - about to die'; kill -KILL $$");
  const Outcome o = run(params({{"command", p}}));
  EXPECT_EQ(o.status, Status::error);
  EXPECT_EQ(o.summary, p + " was killed by signal 9 (Killed)");
  const std::string s = plugin("check_segv", "kill -SEGV $$");
  EXPECT_EQ(run(params({{"command", s}})).summary, s + " was killed by signal 11 (Segmentation fault)");
}

TEST_F(ExecCheckTest, OutputIsCapped) {
  const std::string p = plugin("check_chatty", "head -c 5000000 /dev/zero | tr '\\0' a; echo; exit 1");
  const Outcome o = run(params({{"command", p}, {"max_output_bytes", "2048"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, std::string(2048, 'a'));
}

TEST_F(ExecCheckTest, MissingPluginIsACommandError) {
  EXPECT_THROW(run(params({{"command", plugins_.host("/check_absent").string()}})), CommandError);
  // Present but not executable.
  plugins_.file("/check_noexec", "#!/bin/sh\necho OK\n", 0644);
  EXPECT_THROW(run(params({{"command", plugins_.host("/check_noexec").string()}})), CommandError);
}

void expect_param_error(std::initializer_list<std::pair<std::string, std::string>> list, const std::string& param,
                        const std::string& message) {
  try {
    exec_check_type().create(params(list));
    ADD_FAILURE() << "accepted: " << message;
  } catch (const ParamError& e) {
    EXPECT_EQ(e.param(), param);
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST_F(ExecCheckTest, PluginThatDoesNotHonourRootIsSkippedUnderRoot) {
  const auto path = plugin("live.sh", "echo OK; exit 0");
  const Outcome o = run(params({{"command", path}, {"supports_root", "false"}}));
  EXPECT_EQ(o.status, Status::skipped);
  EXPECT_EQ(o.summary, path + " inspects the machine it runs on, not the --root image "
                              "(set supports_root=true for a plugin that honours CLINIC_AUDIT_ROOT)");
}

TEST_F(ExecCheckTest, OfflineSkipsPluginsThatMayUseTheNetwork) {
  const auto path = plugin("net.sh", "echo \"OK offline=$CLINIC_AUDIT_OFFLINE\"; exit 0");
  Outcome o = run(params({{"command", path}}), /*offline=*/true);
  EXPECT_EQ(o.status, Status::skipped);
  EXPECT_EQ(o.summary, path + " may use the network and --offline forbids any network operation "
                              "(set network=false for a plugin that never does)");
  o = run(params({{"command", path}, {"network", "false"}}), /*offline=*/true);
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.summary, "OK offline=1");
}

TEST(ExecCheckParams, Errors) {
  expect_param_error({}, "command", "missing required parameter 'command'");
  expect_param_error({{"command", "check_disk"}}, "command",
                     "parameter 'command' must be an absolute path (no shell, no PATH search), not 'check_disk'");
  expect_param_error({{"command", "./check_disk"}}, "command",
                     "parameter 'command' must be an absolute path (no shell, no PATH search), not './check_disk'");
  expect_param_error({{"command", "/bin/true"}, {"timeout_seconds", "0"}}, "timeout_seconds",
                     "parameter 'timeout_seconds' must be an integer from 1 to 3600, not '0'");
  expect_param_error({{"command", "/bin/true"}, {"timeout_seconds", "3601"}}, "timeout_seconds",
                     "parameter 'timeout_seconds' must be an integer from 1 to 3600, not '3601'");
  expect_param_error({{"command", "/bin/true"}, {"timeout_seconds", "10s"}}, "timeout_seconds",
                     "parameter 'timeout_seconds' must be an integer from 1 to 3600, not '10s'");
  expect_param_error({{"command", "/bin/true"}, {"max_output_bytes", "100"}}, "max_output_bytes",
                     "parameter 'max_output_bytes' must be an integer from 1024 to 16777216, not '100'");
}

TEST(ExecCheckParams, UnknownParametersAreLeftUnread) {
  Params p = params({{"command", "/bin/true"}, {"args", "-v"}, {"arg", "-v"}});
  exec_check_type().create(p);
  EXPECT_EQ(p.unread(), std::vector<std::string>{"args"});
}

}  // namespace
}  // namespace clinic_audit
