// The command line (DESIGN.md §4, issue #2 items 2, 9, 13): subcommands,
// --help, usage errors (64), unwritable output (73), plain text off a terminal.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

std::string compliant_root() {
  FixtureRoot root(fixture_dir("cli-compliant"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  return root.path().string();
}

TEST(Cli, VersionAndHelp) {
  AgentRun run = run_agent({"version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "clinic-audit 0.1.0\n");
  for (const char* sub : {"run", "list", "explain", "version"}) {
    run = run_agent({sub, "--help"});
    EXPECT_EQ(run.exit_code, 0) << sub;
    EXPECT_NE(run.out.find("Usage"), std::string::npos) << sub << ": " << run.out;
  }
  run = run_agent({"run", "--help"});
  for (const char* option :
       {"--policy", "--root", "--config", "--format", "--out", "--no-sign", "--offline", "--only", "--trigger"}) {
    EXPECT_NE(run.out.find(option), std::string::npos) << option;
  }
}

TEST(Cli, UsageErrorsExit64WithOneLine) {
  const std::vector<std::vector<std::string>> bad{
      {},
      {"frobnicate"},
      {"run", "--bogus"},
      {"run", "--format", "yaml"},
      {"run", "--trigger", "sometimes"},
      {"run", "--root", "/nonexistent-root-dir"},
      {"explain"},
      {"run", "--verbose", "--quiet"},
  };
  for (const auto& args : bad) {
    const AgentRun run = run_agent(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(run.exit_code, 64) << joined << run.err;
    EXPECT_EQ(run.out, "") << joined;
    ASSERT_FALSE(run.err.empty()) << joined;
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << joined << "\n" << run.err;
    EXPECT_EQ(run.err.rfind("clinic-audit: ", 0), 0u) << run.err;
  }
}

TEST(Cli, OnlyWithUnknownCheckIsAUsageError) {
  const AgentRun run = run_agent(
      {"run", "--root", compliant_root(), "--policy", "apicrypt-v1", "--only", "nope", "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_EQ(run.err, "clinic-audit: --only: no check 'nope' in the selected policies (see clinic-audit list)\n");
}

TEST(Cli, OnlyRunsJustTheNamedChecks) {
  const AgentRun run =
      run_agent({"run", "--root", compliant_root(), "--policy", "apicrypt-v1", "--only", "apicrypt-v1.binary.apicrypt",
                 "--offline", "--no-sign", "--format", "json", "--trigger", "post-upgrade"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto report = parse_report(run.out);
  ASSERT_EQ(report["results"].size(), 1u);
  EXPECT_EQ(report["results"][0]["check_id"], "apicrypt-v1.binary.apicrypt");
  EXPECT_EQ(report["run"]["trigger"], "post-upgrade");
}

TEST(Cli, ListAndExplainShowPolicyContent) {
  AgentRun run = run_agent({"list", "--policy", "apicrypt-v1"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("apicrypt-v1.binary.apiuncryptpj\tcritical\tApicrypt binary apiuncryptpj is root-owned"),
            std::string::npos)
      << run.out;
  run = run_agent({"explain", "apicrypt-v1.binary.apicrypt", "--policy", "apicrypt-v1", "--root", compliant_root()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Source:      seed 004_08ef83a57c0c6343.txt, section \"Mise en œuvre des binaires Apicrypt\""),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("Make /srv/EHR/apicrypt/bin/apicrypt owned by root"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("ehr_root = /srv/EHR  (discovered from /etc/apache2/sites-enabled/ehr.conf:3)"),
            std::string::npos)
      << run.out;
  run = run_agent({"explain", "no.such.check", "--policy", "apicrypt-v1"});
  EXPECT_EQ(run.exit_code, 64);
  run = run_agent({"list", "--types"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("file\t"), std::string::npos);
  EXPECT_NE(run.out.find("exec\t"), std::string::npos);
}

TEST(Cli, TextIsPlainWhenNotATerminal) {
  FixtureRoot root(fixture_dir("cli-noncompliant"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-noncompliant.manifest");
  const AgentRun run =
      run_agent({"run", "--root", root.path().string(), "--policy", "apicrypt-v1", "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out.find('\x1b'), std::string::npos);
  // Failures first, each with its fix.
  const auto first_fail = run.out.find("\nFAIL");
  ASSERT_NE(first_fail, std::string::npos) << run.out;
  const auto first_pass = run.out.find("\nPASS");
  if (first_pass != std::string::npos) {
    EXPECT_LT(run.out.rfind("\nFAIL"), first_pass) << run.out;
  }
  EXPECT_NE(run.out.find("chown root:root /home/EHR/apicrypt/bin/apicrypt"), std::string::npos) << run.out;
}

TEST(Cli, VerboseLogsTheStepsQuietStaysSilent) {
  // Not a terminal: the log goes to syslog, with debug lines (--verbose) or
  // warnings and errors only also on stderr.
  const auto root = compliant_root();
  AgentRun run = run_agent(
      {"run", "--verbose", "--root", root, "--policy", "apicrypt-v1", "--offline", "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  for (const char* step : {"step: open root", "step: load config", "step: load policies", "step: plan checks",
                           "step: run checks", "step: write reports"}) {
    EXPECT_NE(run.err.find(std::string("clinic-audit: debug: ") + step), std::string::npos) << step << "\n" << run.err;
  }
  run = run_agent(
      {"run", "--quiet", "--root", root, "--policy", "apicrypt-v1", "--offline", "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.err, "");
}

TEST(Cli, NagiosAloneUsesPluginExitCodes) {
  FixtureRoot root(fixture_dir("cli-nagios"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-noncompliant.manifest");
  AgentRun run = run_agent({"run", "--root", root.path().string(), "--policy", "apicrypt-v1", "--offline", "--no-sign",
                            "--format", "nagios"});
  EXPECT_EQ(run.exit_code, 2);  // critical-severity fails: CRITICAL
  // The count matches the JSON report of the same root.
  const AgentRun json = run_agent(
      {"run", "--root", root.path().string(), "--policy", "apicrypt-v1", "--offline", "--no-sign", "--format", "json"});
  const auto fails = parse_report(json.out)["summary"]["fail"].get<int>();
  EXPECT_GE(fails, 4);
  EXPECT_EQ(run.out.rfind("CLINIC-AUDIT CRITICAL - " + std::to_string(fails) + " failed: ", 0), 0u) << run.out;
  run = run_agent(
      {"run", "--root", compliant_root(), "--policy", "apicrypt-v1", "--offline", "--no-sign", "--format", "nagios"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.rfind("CLINIC-AUDIT OK", 0), 0u) << run.out;
}

TEST(Cli, StdoutThatCannotBeWrittenExits73) {
  // /dev/full refuses every write: the report is lost, and the exit code says so.
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/bin/sh";
  spec.args = {"-c", "exec \"$0\" run --root \"$1\" --policy apicrypt-v1 --offline --no-sign --format json > /dev/full",
               agent_binary(), compliant_root()};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) spec.env[name] = value;
  }
  spec.env["PATH"] = "/usr/bin:/bin";
  const CommandResult result = runner.run(spec);
  EXPECT_EQ(result.exit_code, 73) << result.err;
  EXPECT_NE(result.err.find("cannot write the report to standard output: No space left on device"), std::string::npos)
      << result.err;
}

TEST(Cli, NagiosAloneReportsUnknownWhenTheAuditCannotRun) {
  const AgentRun run = run_agent(
      {"run", "--policy", fixture("policies/schema-violations.xml"), "--offline", "--no-sign", "--format", "nagios"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.out,
            "CLINIC-AUDIT UNKNOWN - audit not run: invalid policy or configuration (load policies, exit 65)\n");
  EXPECT_NE(run.err.find("schema-violations.xml:5:"), std::string::npos) << run.err;
}

TEST(Cli, OutThatIsNotADirectoryExits73) {
  const auto file = fixture_dir("not-a-dir");
  std::filesystem::remove_all(file);
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << "x";
  const AgentRun run =
      run_agent({"run", "--root", compliant_root(), "--policy", "apicrypt-v1", "--offline", "--no-sign", "--format",
                 "json", "--out", file.string(), "--state-dir", fixture_dir("not-a-dir-state").string()});
  EXPECT_EQ(run.exit_code, 73);
  EXPECT_NE(run.err.find("is not a directory"), std::string::npos) << run.err;
}

TEST(Cli, UnwritableOutExits73AndKeepsEarlierReports) {
  const auto root = compliant_root();
  const auto out = fixture_dir("out-unwritable");
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(out);
  const auto state = fixture_dir("out-unwritable-state");
  std::filesystem::remove_all(state);
  std::filesystem::create_directories(state);
  AgentRun run = run_agent({"run", "--root", root, "--policy", "apicrypt-v1", "--offline", "--no-sign", "--format",
                            "json", "--out", out.string(), "--state-dir", state.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::pair<std::string, std::string>> before;
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    std::ifstream in(e.path());
    before.emplace_back(e.path().string(), std::string((std::istreambuf_iterator<char>(in)), {}));
  }
  ASSERT_EQ(before.size(), 1u);
  // Owned by root 0755: nobody cannot create the temporary file.
  ::chmod(out.c_str(), 0755);
  ::chmod(out.parent_path().c_str(), 0755);
  // The state directory nobody may use, so that the report directory is what fails.
  ASSERT_EQ(::chown(state.c_str(), 65534, 65534), 0);
  for (const auto& e : std::filesystem::directory_iterator(state))
    ASSERT_EQ(::chown(e.path().c_str(), 65534, 65534), 0);
  run = run_agent_as_nobody({"run", "--root", root, "--policy", "apicrypt-v1", "--offline", "--no-sign", "--format",
                             "json", "--out", out.string(), "--state-dir", state.string()});
  EXPECT_EQ(run.exit_code, 73) << run.err;
  EXPECT_NE(run.err.find(out.string()), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Permission denied"), std::string::npos) << run.err;
  std::size_t count = 0;
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    ++count;
    std::ifstream in(e.path());
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), {}), before[0].second);
  }
  EXPECT_EQ(count, 1u);  // no temp file left behind
}

}  // namespace
}  // namespace clinic_audit::testing
