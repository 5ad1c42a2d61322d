// Issue #17 item 2 on the hand-made trees: every remediation command the
// audit gives is pasted literally (sh -e, chrooted into a copy of the tree:
// tests/integration/apply-in-root.sh), the audit runs again, and what had
// commands must now pass. Failing results without commands are exactly the
// ones a person must handle (named here, with the reason).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

AgentRun run_script(const std::vector<std::string>& argv) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = argv.front();
  spec.args.assign(argv.begin() + 1, argv.end());
  spec.timeout = std::chrono::seconds(60);
  const CommandResult result = runner.run(spec);
  return {result.timed_out ? -2 : result.exit_code, result.out, result.err};
}

nlohmann::json audit(const FixtureRoot& root) {
  const AgentRun run = run_agent({"run", "--root", root.path().string(), "--policy", "apicrypt-v1", "--policy",
                                  "apicrypt-v2", "--offline", "--no-sign", "--format", "json"});
  return parse_report(run.out);
}

TEST(PastedRemediation, NoncompliantTreeIsFixedByItsOwnCommands) {
  FixtureRoot root(fixture_dir("pasted-noncompliant"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-noncompliant.manifest");
  const auto before = audit(root);

  std::vector<std::string> commands;
  std::set<std::string> fixed, manual;
  for (const auto& r : before["results"]) {
    if (r["status"] != "fail") continue;
    if (r["remediation_commands"].empty()) {
      manual.insert(r["check_id"].get<std::string>());
      continue;
    }
    fixed.insert(r["check_id"].get<std::string>());
    for (const auto& c : r["remediation_commands"]) commands.push_back(c);
  }
  // What no command can do: install the missing apiuncryptpj and the
  // compagnonApicrypt unit (Apicrypt's own software), lower no OpenSSL level
  // by guesswork (the check names the lines), and remove sudo rules (the
  // sudoers check's own remediation).
  EXPECT_EQ(manual, (std::set<std::string>{"apicrypt-v1.binary.apiuncryptpj", "apicrypt-v2.service.compagnon",
                                           "apicrypt-v2.openssl.seclevel", "apicrypt-v1.sudoers.no-broader-grant"}));
  ASSERT_FALSE(commands.empty());

  const auto script = root.path().parent_path() / "pasted-noncompliant.sh";
  {
    std::ofstream out(script);
    for (const auto& c : commands) out << c << '\n';
  }
  const AgentRun applied = run_script(
      {(source_dir() / "tests/integration/apply-in-root.sh").string(), root.path().string(), script.string()});
  ASSERT_EQ(applied.exit_code, 0) << "sh -e stopped on the pasted remediation:\n" << applied.err;

  const auto after = statuses(audit(root));
  for (const auto& id : fixed) EXPECT_EQ(after.at(id), "pass") << id << " after pasting its remediation";
  for (const auto& [id, status] : after) {
    if (status == "fail") {
      EXPECT_EQ(manual.count(id), 1u) << id << " fails after the remediation of others";
    }
  }
}

}  // namespace
}  // namespace clinic_audit::testing
