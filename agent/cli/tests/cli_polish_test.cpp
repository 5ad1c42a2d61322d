// CLI polish (issue #15 item 7): suggestions for mistyped commands and
// policy ids, --version, --color and NO_COLOR, the root hint on permission
// errors, verify's default trust anchor. Through the built binary where the
// behaviour is the binary's, directly where it is a function.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "cli/color.hpp"
#include "cli/error_stream.hpp"
#include "cli/suggest.hpp"
#include "common/command_runner.hpp"
#include "needs_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit {
namespace {

using testing::run_agent;

TEST(Suggest, EditDistanceCountsASwapOnce) {
  EXPECT_EQ(edit_distance("run", "run"), 0u);
  EXPECT_EQ(edit_distance("rnu", "run"), 1u);
  EXPECT_EQ(edit_distance("lst", "list"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, NearestOnlyWhenItLooksLikeATypo) {
  const std::vector<std::string> commands{"run", "list", "explain", "keygen", "verify", "version", "status"};
  EXPECT_EQ(nearest("rnu", commands), "run");
  EXPECT_EQ(nearest("verfy", commands), "verify");
  EXPECT_EQ(nearest("stat", commands), "status");
  EXPECT_EQ(nearest("frobnicate", commands), std::nullopt);
  const std::vector<std::string> policies{"apicrypt-v1", "apicrypt-v2", "ekermed"};
  EXPECT_EQ(nearest("apicrypt-2", policies), "apicrypt-v2");
  EXPECT_EQ(nearest("apicrypt-v3", policies), "apicrypt-v1");  // ties: the first listed
  EXPECT_EQ(nearest("ekermd", policies), "ekermed");
  EXPECT_EQ(nearest("ekermed-v9-beta", policies), std::nullopt);
}

TEST(Suggest, TypedSubcommandSkipsGlobalOptions) {
  std::vector<std::string> storage{"clinic-audit", "-v", "--color", "never", "rnu", "--policy", "x"};
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  EXPECT_EQ(typed_subcommand(static_cast<int>(argv.size()), argv.data(), {"--color"}), "rnu");
}

TEST(CliPolish, MistypedSubcommandNamesTheNearest) {
  const auto run = run_agent({"rnu", "--offline"});
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_NE(run.err.find("unknown command 'rnu'; did you mean 'run'?"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("status"), std::string::npos) << "lists the commands: " << run.err;
}

TEST(CliPolish, UnknownPolicyIdListsTheShippedOnes) {
  const auto run = run_agent({"run", "--policy", "ekermd", "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(
      run.err.find(
          "unknown policy id 'ekermd'; did you mean 'ekermed'? shipped policies: apicrypt-v1, apicrypt-v2, ekermed"),
      std::string::npos)
      << run.err;
  const auto list = run_agent({"list", "--policy", "apicrypt"});
  EXPECT_NE(list.err.find("shipped policies: apicrypt-v1, apicrypt-v2, ekermed"), std::string::npos) << list.err;
}

TEST(CliPolish, VersionFlag) {
  for (const char* flag : {"--version", "-V"}) {
    const auto run = run_agent({flag});
    EXPECT_EQ(run.exit_code, 0) << flag;
    EXPECT_EQ(run.out, "clinic-audit 0.1.0\n") << flag;
  }
}

TEST(CliPolish, ColorOptionAndNoColor) {
  CA_REQUIRE_ROOT();  // audits the live host, whose files and state directory are root's
  // Off a terminal (these runs): never coloured, unless --color=always.
  auto run = run_agent({"run", "--policy", "apicrypt-v1", "--offline", "--no-sign"});
  EXPECT_EQ(run.out.find("\x1b["), std::string::npos);
  run = run_agent({"--color=always", "run", "--policy", "apicrypt-v1", "--offline", "--no-sign"});
  EXPECT_NE(run.out.find("\x1b["), std::string::npos) << run.out.substr(0, 200);
  run = run_agent({"--color", "sometimes", "list"});
  EXPECT_EQ(run.exit_code, 64);

  ::setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(use_color(ColorMode::automatic, STDOUT_FILENO));
  EXPECT_TRUE(use_color(ColorMode::always, STDOUT_FILENO)) << "an explicit --color=always wins over NO_COLOR";
  ::setenv("NO_COLOR", "", 1);  // empty: as if unset (no-color.org)
  EXPECT_EQ(use_color(ColorMode::automatic, STDOUT_FILENO), ::isatty(STDOUT_FILENO) != 0);
  ::unsetenv("NO_COLOR");
  EXPECT_FALSE(use_color(ColorMode::never, STDOUT_FILENO));
}

TEST(CliPolish, PermissionErrorsSayRunAsRoot) {
  EXPECT_EQ(permission_hint("clinic-audit keygen: cannot create a file in /etc/clinic-audit: Permission denied", false),
            " (run clinic-audit as root)");
  EXPECT_EQ(permission_hint("clinic-audit keygen: ... Permission denied", true), "");
  EXPECT_EQ(permission_hint("clinic-audit: no such file", false), "");
  EXPECT_EQ(permission_hint("cannot read DIR: Permission denied (run as root or ...)", false), "");
  if (::geteuid() != 0) GTEST_SKIP() << "the end-to-end half needs root to become nobody";
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/setpriv";
  spec.args = {"--reuid=65534",
               "--regid=65534",
               "--clear-groups",
               testing::agent_binary(),
               "keygen",
               "--key",
               "/root/clinic-audit-test.key",
               "--cert",
               "/root/clinic-audit-test.crt"};
  spec.timeout = std::chrono::seconds(30);
  const CommandResult result = runner.run(spec);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("Permission denied (run clinic-audit as root)"), std::string::npos) << result.err;
}

TEST(CliPolish, VerifyWithoutCaSaysWhichCertificateItTrusts) {
  std::ostringstream note;
  const std::string anchor = default_trust_anchor(note);
  const bool has_ca = ::access("/etc/clinic-audit/ca.crt", F_OK) == 0;
  const bool has_own = ::access("/etc/clinic-audit/agent.crt", F_OK) == 0;
  EXPECT_EQ(anchor, has_ca || !has_own ? "/etc/clinic-audit/ca.crt" : "/etc/clinic-audit/agent.crt");
  EXPECT_NE(note.str().find("trusting " + anchor), std::string::npos) << note.str();
  const auto run = run_agent({"verify", "/nonexistent-report.json"});
  EXPECT_NE(run.err.find("verify: trusting " + anchor), std::string::npos) << run.err;
}

}  // namespace
}  // namespace clinic_audit
