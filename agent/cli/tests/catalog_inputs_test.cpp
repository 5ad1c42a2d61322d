// `list` and `explain` load through run's own steps (issue #19 item 3,
// engine/run_inputs.hpp): the same configuration (the image's own under
// --root), the same policy errors, the same variable values.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

std::string image_with_config(const std::string& web_user) {
  FixtureRoot root(fixture_dir("image"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  root.file("/etc/clinic-audit/agent.conf",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<agent-config xmlns=\"urn:clinic-audit:config:1\">\n"
            "  <variable name=\"web_user\">" +
                web_user +
                "</variable>\n"
                "</agent-config>\n",
            0644, 0, 0);
  return root.path().string();
}

TEST(CatalogInputs, ExplainUnderRootUsesTheImagesConfigurationAsRunDoes) {
  const std::string root = image_with_config("apache");
  const AgentRun run =
      run_agent({"run", "--root", root, "--policy", "apicrypt-v2", "--offline", "--no-sign", "--format", "json"});
  const auto report = nlohmann::json::parse(run.out);
  std::string run_web_user;
  for (const auto& v : report["variables"]) {
    if (v["name"] == "web_user") run_web_user = v["value"];
  }
  EXPECT_EQ(run_web_user, "apache");
  const AgentRun explain =
      run_agent({"explain", "apicrypt-v2.sudoers.restart-apicrypt", "--root", root, "--policy", "apicrypt-v2"});
  EXPECT_EQ(explain.exit_code, 0) << explain.err;
  EXPECT_EQ(explain.err, "");
  EXPECT_NE(explain.out.find("  user = apache  (${web_user})\n"), std::string::npos) << explain.out;
  EXPECT_NE(explain.out.find("  web_user = apache  (" + root + "/etc/clinic-audit/agent.conf)\n"), std::string::npos)
      << explain.out;
}

TEST(CatalogInputs, ListAndRunReportTheSameBadPolicyErrors) {
  const std::string bad = (source_dir() / "tests/fixtures/policies/semantic-errors.xml").string();
  const AgentRun run = run_agent({"run", "--policy", bad, "--offline", "--no-sign"});
  const AgentRun list = run_agent({"list", "--policy", bad});
  const AgentRun explain = run_agent({"explain", "bad.type", "--policy", bad});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_EQ(list.exit_code, 65);
  EXPECT_EQ(explain.exit_code, 65);
  EXPECT_NE(run.err.find("clinic-audit: invalid policy\nerror 1: " + bad + ":6: unknown check type 'no_such_type'"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(list.err, run.err.substr(run.err.find("clinic-audit: invalid policy\n")));
  EXPECT_EQ(explain.err, list.err);
  EXPECT_EQ(list.out, "");
}

}  // namespace
}  // namespace clinic_audit::testing
