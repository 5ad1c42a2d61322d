// Hostile roots and bad input (issue #2 item 11): a symlink loop, a FIFO
// where a file is expected, a 100 MB file where a small one is, an unreadable
// file, invalid UTF-8, a malformed policy, a malformed agent.conf. Each gives
// a clear error naming the file; nothing crashes, hangs or half-reports.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

std::vector<std::string> audit_args(const FixtureRoot& root, const std::string& only) {
  return {"run",    "--root", root.path().string(), "--policy",  fixture("policies/passwd-file.xml"),
          "--only", only,     "--offline",          "--no-sign", "--format",
          "json"};
}

TEST(HostileRoot, SymlinkLoopIsAnErrorNamingThePath) {
  FixtureRoot root(fixture_dir("hostile-loop"));
  root.debian_accounts().symlink("/etc/sudoers", "/etc/sudoers.loop").symlink("/etc/sudoers.loop", "/etc/sudoers");
  const AgentRun run = run_agent(audit_args(root, "test.sudoers"));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto r = result_of(parse_report(run.out), "test.sudoers");
  EXPECT_EQ(r["status"], "error");
  EXPECT_NE(r["summary"].get<std::string>().find("Too many levels of symbolic links"), std::string::npos)
      << r["summary"];
}

TEST(HostileRoot, FifoWhereAFileIsExpectedDoesNotBlock) {
  FixtureRoot root(fixture_dir("hostile-fifo"));
  root.debian_accounts().dir("/var/www", 0755).fifo("/etc/passwd");
  const auto start = std::chrono::steady_clock::now();
  const AgentRun run = run_agent(audit_args(root, "test.www-data-home"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto r = result_of(parse_report(run.out), "test.www-data-home");
  EXPECT_EQ(r["status"], "error");
  EXPECT_EQ(r["summary"], "cannot evaluate: /etc/passwd: is a FIFO, not a regular file");
  EXPECT_EQ(r["evidence"][0]["path"], "/etc/passwd");
}

TEST(HostileRoot, HugeFileIsRefusedByTheReadCap) {
  FixtureRoot root(fixture_dir("hostile-big"));
  root.debian_accounts().dir("/var/www", 0755).sparse("/etc/group", 100LL * 1024 * 1024);
  const AgentRun run = run_agent(audit_args(root, "test.www-data-home"));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto r = result_of(parse_report(run.out), "test.www-data-home");
  EXPECT_EQ(r["status"], "error");
  EXPECT_EQ(r["summary"], "cannot evaluate: /etc/group: is 104857600 bytes, over the 1048576-byte limit for this file");
}

TEST(HostileRoot, UnreadableFileIsAnErrorNotAFail) {
  // Root reads everything: run the agent as nobody to meet a real EACCES.
  FixtureRoot root(fixture_dir("hostile-unreadable"));
  root.debian_accounts().dir("/var/www", 0755).file("/etc/group", "root:x:0:\n", 0600, 0, 0);
  ::chmod(fixture_dir("hostile-unreadable").parent_path().c_str(), 0755);
  const AgentRun run = run_agent_as_nobody(audit_args(root, "test.www-data-home"));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto r = result_of(parse_report(run.out), "test.www-data-home");
  EXPECT_EQ(r["status"], "error");
  EXPECT_EQ(r["summary"], "cannot evaluate: /etc/group: cannot open: Permission denied");
}

TEST(HostileRoot, InvalidUtf8InTheRootKeepsReportsValid) {
  FixtureRoot root(fixture_dir("hostile-utf8"));
  // A user name with bytes that are not UTF-8 owns the checked file.
  root.file(
      "/etc/passwd",
      "root:x:0:0::/root:/bin/sh\n\xff\xfe\xc3(:x:1000:1000::/home/x:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\n");
  root.file("/etc/group", "root:x:0:\n");
  root.file("/etc/sudoers", "", 0440, 1000, 0);
  const AgentRun run = run_agent(audit_args(root, "test.sudoers"));
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto r = result_of(parse_report(run.out), "test.sudoers");  // parse_report validates against the schema
  EXPECT_EQ(r["status"], "fail");
  EXPECT_EQ(r["evidence"][0]["observed"],
            "owner=\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD( group=root mode=0440 type=regular file");
}

TEST(BadInput, MalformedPolicyExits65NamingFileAndLine) {
  const AgentRun run =
      run_agent({"run", "--policy", fixture("policies/not-well-formed.xml"), "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("error 1: " + fixture("policies/not-well-formed.xml") + ":7: "), std::string::npos) << run.err;
}

TEST(BadInput, SchemaViolationsAreNumberedWithLines) {
  const AgentRun run =
      run_agent({"run", "--policy", fixture("policies/schema-violations.xml"), "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_EQ(run.out, "");
  const std::string file = fixture("policies/schema-violations.xml");
  EXPECT_NE(
      run.err.find(
          "error 1: " + file +
          ":5: Element 'check', attribute 'severity': [facet 'enumeration'] The value 'urgent' is not an element of the set"),
      std::string::npos)
      << run.err;
}

TEST(BadInput, SemanticPolicyErrorsAreAllReported) {
  const AgentRun run =
      run_agent({"run", "--policy", fixture("policies/semantic-errors.xml"), "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_EQ(run.out, "");
  const std::string file = fixture("policies/semantic-errors.xml");
  for (const std::string& expected : {
           file + ":6: unknown check type 'no_such_type' (known: ",
           file + ":18: check type 'file' has no parameter 'colour'",
           file + ":25: unknown variable ${nowhere} (declared: base)",
           file + ":33: check 'bad.octal': parameter 'forbidden_bits' must be octal mode bits such as 0022, not '0999'",
       }) {
    EXPECT_NE(run.err.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << run.err;
  }
  EXPECT_NE(run.err.find("error 4: "), std::string::npos) << run.err;
}

TEST(BadInput, MalformedAgentConfExits65) {
  const AgentRun run = run_agent({"run", "--config", fixture("configs/malformed.conf"), "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_EQ(run.out, "");
  const std::string file = fixture("configs/malformed.conf");
  EXPECT_NE(
      run.err.find(
          file +
          ":4: Element 'waiver', attribute 'expires': 'next tuesday' is not a valid value of the atomic type 'xs:date'."),
      std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(file + ":5: Element 'colour': This element is not expected."), std::string::npos) << run.err;
}

TEST(BadInput, OutOfRangeRetentionIsAConfigErrorWithItsLine) {
  const auto dir = fixture_dir("keep");
  std::filesystem::create_directories(dir);
  const auto conf = dir / "agent.conf";
  std::ofstream(conf)
      << "<agent-config xmlns=\"urn:clinic-audit:config:1\">\n  <reports keep=\"99999999999\"/>\n</agent-config>\n";
  const AgentRun run = run_agent({"run", "--config", conf.string(), "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65) << run.err;
  EXPECT_NE(run.err.find("error 1: " + conf.string() + ":2: Element 'reports', attribute 'keep'"), std::string::npos)
      << run.err;
}

TEST(BadInput, MissingExplicitConfigAndPolicyExit65) {
  AgentRun run = run_agent({"run", "--config", "/nonexistent/agent.conf", "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(run.err.find("/nonexistent/agent.conf: cannot read configuration: no such file"), std::string::npos)
      << run.err;
  run = run_agent({"run", "--policy", "no-such-policy", "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(run.err.find("no-such-policy.xml: cannot read policy: no such file"), std::string::npos) << run.err;
}

TEST(BadInput, PolicyWithDoctypeIsRefused) {
  const auto dir = fixture_dir("doctype");
  std::filesystem::create_directories(dir);
  const auto file = dir / "laughs.xml";
  std::ofstream(file)
      << "<?xml version=\"1.0\"?>\n<!DOCTYPE policy [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>\n"
         "<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"x\" version=\"1\"><title>&b;</title><description>d</description></policy>\n";
  const AgentRun run = run_agent({"run", "--policy", file.string(), "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(run.err.find(file.string() + ":2: a DOCTYPE is not allowed here"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace clinic_audit::testing
