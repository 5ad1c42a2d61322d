// The shipped policies rewritten with foreach, a policy-level applies-if and
// web_user (issue #19 item 2) give the reports they gave before: the
// policies as they were are kept in tests/fixtures/policies
// (apicrypt-v1-unrolled.xml, apicrypt-v2-before-19.xml) and both versions
// audit the same fixture roots, text and JSON compared byte for byte once
// the report id, times and policy file hash are taken out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

namespace fs = std::filesystem;

// Copies `from` to <test dir>/policy/NAME: both versions, placed there in
// turn, are named alike in reports (variable sources name the file).
std::string place(const fs::path& from, const std::string& name) {
  const fs::path dir = fixture_dir("policy");
  fs::create_directories(dir);
  fs::copy_file(from, dir / name, fs::copy_options::overwrite_existing);
  return (dir / name).string();
}

std::string root_from(const std::string& manifest) {
  FixtureRoot root(fixture_dir(manifest));
  root.apply_manifest(source_dir() / "tests/fixtures/roots" / (manifest + ".manifest"));
  return root.path().string();
}

// What differs from one run to the next (and the hash of the policy file);
// and the line of the placed policy a variable's default comes from: the
// shipped policies gained xml:lang translations (issue #18) that the kept
// "before" copies do not have, so their lines moved.
std::string normalized(const std::string& raw, const std::string& format) {
  static const std::regex policy_line(R"((/policy/apicrypt-v[12]\.xml):[0-9]+)");
  const std::string out = std::regex_replace(raw, policy_line, "$1:LINE");
  if (format == "json") {
    nlohmann::json report = nlohmann::json::parse(out);
    report.erase("report_id");
    report["run"].erase("started_at");
    report["run"].erase("finished_at");
    for (auto& policy : report["policies"]) policy.erase("sha256");
    for (auto& result : report["results"]) result.erase("duration_ms");
    return report.dump(2);
  }
  std::string text;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(start, end - start);
    if (line.rfind("run ", 0) != 0) text += line + "\n";
    start = end + 1;
  }
  return text;
}

struct Versions {
  std::string before;
  std::string after;
};

// Runs the policy as it was (`before`, a file) then as it is (`after`), both
// placed at the same path.
Versions run_both(const fs::path& before, const fs::path& after, const std::vector<std::string>& extra,
                  const std::string& format, int& exit_code) {
  std::vector<std::string> args = {"run", "--offline", "--no-sign", "--format", format};
  args.insert(args.end(), extra.begin(), extra.end());
  auto with = [&](const fs::path& policy) {
    auto a = args;
    a.insert(a.end(), {"--policy", place(policy, after.filename().string())});
    return run_agent(a);
  };
  const AgentRun old_run = with(before);
  const AgentRun new_run = with(after);
  EXPECT_EQ(old_run.exit_code, new_run.exit_code) << old_run.err << new_run.err;
  EXPECT_EQ(old_run.err, new_run.err);
  exit_code = new_run.exit_code;
  return {normalized(old_run.out, format), normalized(new_run.out, format)};
}

TEST(PolicyRewrite, ApicryptV1ForeachGivesTheSameReports) {
  const fs::path before = source_dir() / "tests/fixtures/policies/apicrypt-v1-unrolled.xml";
  const fs::path after = source_dir() / "policies/apicrypt-v1.xml";
  for (const std::string manifest : {"apicrypt-compliant", "apicrypt-noncompliant"}) {
    const std::string root = root_from(manifest);
    for (const std::string format : {"json", "text"}) {
      int code = -1;
      const Versions v = run_both(before, after, {"--root", root}, format, code);
      EXPECT_EQ(v.before, v.after) << manifest << " " << format;
      EXPECT_EQ(code, manifest == "apicrypt-compliant" ? 0 : 1);
    }
  }
  // The four ids, in the order they had.
  const AgentRun list = run_agent({"list", "--policy", "apicrypt-v1"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find("apicrypt-v1.binary.apicrypt\t"), 0u) << list.out;
  const auto a = list.out.find("apicrypt-v1.binary.apicryptpj\t");
  const auto b = list.out.find("apicrypt-v1.binary.apiuncrypt\t");
  const auto c = list.out.find("apicrypt-v1.binary.apiuncryptpj\t");
  EXPECT_TRUE(a != std::string::npos && a < b && b < c && c != std::string::npos) << list.out;
}

TEST(PolicyRewrite, ApicryptV2GivesTheSameReportsButTheRestartCommand) {
  const fs::path before = source_dir() / "tests/fixtures/policies/apicrypt-v2-before-19.xml";
  const fs::path after = source_dir() / "policies/apicrypt-v2.xml";
  // The only change of output: web_user is inserted as a shell word in the
  // RESTART_APICRYPT command, outside the quotes (same command for sh).
  const std::string old_command = "'www-data ALL=(root) NOPASSWD: RESTART_APICRYPT'";
  const std::string new_command = "www-data' ALL=(root) NOPASSWD: RESTART_APICRYPT'";
  auto same_command = [&](std::string text) {
    for (auto at = text.find(old_command); at != std::string::npos; at = text.find(old_command)) {
      text.replace(at, old_command.size(), new_command);
    }
    return text;
  };
  const fs::path v1_conf = fixture_dir("conf") / "v1.conf";
  fs::create_directories(v1_conf.parent_path());
  std::ofstream(v1_conf) << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<agent-config xmlns=\"urn:clinic-audit:config:1\">\n"
                            "  <variable name=\"apicrypt_version\">1</variable>\n"
                            "</agent-config>\n";
  for (const std::string manifest : {"apicrypt-compliant", "apicrypt-noncompliant"}) {
    const std::string root = root_from(manifest);
    for (const std::string format : {"json", "text"}) {
      int code = -1;
      Versions v = run_both(before, after, {"--root", root}, format, code);
      if (format == "json") {
        EXPECT_NE(v.after.find(new_command), std::string::npos) << manifest;
      }
      EXPECT_EQ(same_command(v.before), v.after) << manifest << " " << format;
      // apicrypt_version = 1: the policy-level applies-if makes every check not applicable, as each check's did.
      v = run_both(before, after, {"--root", root, "--config", v1_conf.string()}, format, code);
      EXPECT_EQ(same_command(v.before), v.after) << manifest << " " << format << " v1";
      EXPECT_EQ(code, 0);
      if (format == "json") {
        const auto report = nlohmann::json::parse(v.after);
        int not_applicable = 0;
        for (const auto& result : report["results"]) not_applicable += result["status"] == "not_applicable" ? 1 : 0;
        EXPECT_EQ(not_applicable, 8) << v.after;
      }
    }
  }
}

TEST(PolicyRewrite, RestartRuleIsJudgedForWebUser) {
  const fs::path conf = fixture_dir("conf") / "apache.conf";
  fs::create_directories(conf.parent_path());
  std::ofstream(conf) << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<agent-config xmlns=\"urn:clinic-audit:config:1\">\n"
                         "  <variable name=\"web_user\">apache</variable>\n"
                         "</agent-config>\n";
  const AgentRun run = run_agent({"explain", "apicrypt-v2.sudoers.restart-apicrypt", "--policy", "apicrypt-v2",
                                  "--config", conf.string(), "--root", root_from("apicrypt-compliant")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("  user = apache  (${web_user})\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(" apache' ALL=(root) NOPASSWD: RESTART_APICRYPT' > /etc/sudoers.d/apicrypt-restart.new\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("lets apache pass any arguments"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace clinic_audit::testing
