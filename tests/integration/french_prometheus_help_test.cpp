// Issue #18 item 3 and DESIGN.md §10: the Prometheus output's HELP and TYPE
// lines are machine parts and stay English in French. Prometheus client
// libraries key a metric family's metadata by name: client_golang's registry
// (used by node_exporter's textfile collector, which reads the agent's .prom
// files) refuses a family whose HELP differs from the one already gathered
// ("collected metric ... has help ... but should have ..."), so a French
// HELP next to an English one for the same metric, e.g. after the site's
// <language> changed or from two commands run with different LANG, would
// break the scrape. This test fails if a HELP line ever follows --lang.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "fixture_root.hpp"
#include "french_catalog.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

std::vector<std::string> metadata_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) lines.push_back(line);
  }
  return lines;
}

TEST(FrenchPrometheus, HelpAndTypeLinesDoNotChangeWithTheLanguage) {
  LanguageEnvironment env;
  const std::string root = build_root("apicrypt-noncompliant");
  auto run = [&](const std::string& lang) {
    return run_agent({"--lang", lang, "run", "--root", root, "--policy", "apicrypt-v1", "--offline", "--no-sign",
                      "--format", "prometheus"});
  };
  const AgentRun en = run("en");
  const AgentRun fr = run("fr");
  EXPECT_EQ(en.exit_code, fr.exit_code);
  const auto en_lines = metadata_lines(en.out);
  EXPECT_GE(en_lines.size(), 4U) << en.out;
  EXPECT_EQ(en_lines, metadata_lines(fr.out));

  const auto dir = fixture_dir("no-reports");
  std::filesystem::create_directories(dir);
  auto status = [&](const std::string& lang) {
    return run_agent({"--lang", lang, "status", "--format", "prometheus", "--reports", dir.string()});
  };
  const AgentRun en_status = status("en");
  const AgentRun fr_status = status("fr");
  EXPECT_FALSE(metadata_lines(en_status.out).empty()) << en_status.out;
  EXPECT_EQ(metadata_lines(en_status.out), metadata_lines(fr_status.out));
  // The human message of the same command is French.
  EXPECT_NE(fr_status.err, en_status.err);
}

}  // namespace
}  // namespace clinic_audit::testing
