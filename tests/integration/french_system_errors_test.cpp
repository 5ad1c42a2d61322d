// Issue #18 item 1: the system's own error texts (errno: strerror(3),
// error_code::message(), filesystem_error) in French output come from our
// catalog (i18n/system_error_text.hpp); English output keeps glibc's words.
// The agent meets each error for real: a missing file, a file root cannot
// give to nobody (EACCES, run through setpriv), a path through a file
// (ENOTDIR).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "fixture_root.hpp"
#include "french_catalog.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

std::vector<std::string> audit_args(const FixtureRoot& root, const std::string& lang) {
  return {"--lang",
          lang,
          "run",
          "--root",
          root.path().string(),
          "--policy",
          fixture("policies/passwd-file.xml"),
          "--only",
          "test.www-data-home",
          "--offline",
          "--no-sign",
          "--format",
          "json"};
}

std::string summary_of(const AgentRun& run) {
  const auto report = parse_report(run.out);
  const auto result = result_of(report, "test.www-data-home");
  EXPECT_EQ(result["status"], "error") << run.out;
  return result["summary"].get<std::string>();
}

// The French summary carries the French errno text and no English catalog
// message (the errno texts are catalog messages: a strerror() left in a
// message would be found here too).
void expect_french(const std::string& summary, const std::string& french, const std::string& english) {
  EXPECT_NE(summary.find(french), std::string::npos) << summary;
  EXPECT_EQ(summary.find(english), std::string::npos) << summary;
  EXPECT_EQ(untranslated_in(summary), std::vector<std::string>{}) << summary;
  EXPECT_TRUE(valid_utf8(summary));
}

TEST(FrenchSystemErrors, MissingFile) {
  LanguageEnvironment env;
  FixtureRoot root(fixture_dir("missing-passwd"));
  root.dir("/var/www", 0755).file("/etc/group", "root:x:0:\n");
  const std::string en = summary_of(run_agent(audit_args(root, "en")));
  EXPECT_EQ(en, "cannot evaluate: /etc/passwd: cannot resolve: No such file or directory");
  expect_french(summary_of(run_agent(audit_args(root, "fr"))), "Aucun fichier ou répertoire de ce nom",
                "No such file or directory");
}

TEST(FrenchSystemErrors, PermissionDenied) {
  LanguageEnvironment env;
  // Root reads everything: the agent runs as nobody to meet a real EACCES.
  FixtureRoot root(fixture_dir("unreadable-group"));
  root.debian_accounts().dir("/var/www", 0755).file("/etc/group", "root:x:0:\n", 0600, 0, 0);
  ::chmod(fixture_dir("unreadable-group").parent_path().c_str(), 0755);
  const std::string en = summary_of(run_agent_as_nobody(audit_args(root, "en")));
  EXPECT_EQ(en, "cannot evaluate: /etc/group: cannot open: Permission denied");
  expect_french(summary_of(run_agent_as_nobody(audit_args(root, "fr"))), "Permission refusée", "Permission denied");
}

TEST(FrenchSystemErrors, NotADirectory) {
  LanguageEnvironment env;
  // /etc is a file: the site configuration /etc/clinic-audit/agent.conf
  // cannot be looked up (ENOTDIR), a configuration error (exit 65).
  FixtureRoot root(fixture_dir("etc-is-a-file"));
  root.dir("/var/www", 0755).file("/etc", "not a directory\n");
  const AgentRun en = run_agent(audit_args(root, "en"));
  EXPECT_EQ(en.exit_code, 65) << en.err;
  EXPECT_NE(en.err.find("agent.conf: cannot read: /etc: cannot resolve: Not a directory\n"), std::string::npos)
      << en.err;
  const AgentRun fr = run_agent(audit_args(root, "fr"));
  EXPECT_EQ(fr.exit_code, 65) << fr.err;
  expect_french(fr.err, "N'est pas un répertoire", "Not a directory");
}

// A command's error on stderr: the errno text in French, and the hint that
// recognises a permission error in either language.
TEST(FrenchSystemErrors, PermissionDeniedOnStderrKeepsTheRootHint) {
  LanguageEnvironment env;
  FixtureRoot root(fixture_dir("state-not-writable"));
  root.debian_accounts().dir("/var/www", 0755).dir("/out", 0777).dir("/state", 0755);
  ::chmod(fixture_dir("state-not-writable").parent_path().c_str(), 0755);
  auto run = [&](const std::string& lang) {
    return run_agent_as_nobody({"--lang", lang, "run", "--root", root.path().string(), "--policy",
                                fixture("policies/passwd-file.xml"), "--only", "test.www-data-home", "--offline",
                                "--no-sign", "--out", root.host("/out").string(), "--state-dir",
                                root.host("/state").string()});
  };
  const AgentRun en = run("en");
  EXPECT_NE(en.err.find("state.lock: Permission denied (run clinic-audit as root)"), std::string::npos) << en.err;
  const AgentRun fr = run("fr");
  EXPECT_EQ(fr.exit_code, en.exit_code);
  EXPECT_NE(fr.err.find("state.lock : Permission refusée (lancer clinic-audit en root)"), std::string::npos) << fr.err;
  expect_french(fr.err, "Permission refusée", "Permission denied");
}

}  // namespace
}  // namespace clinic_audit::testing
