// Issue #20 item 1: no remediation can be made to run an attacker's command.
// Hostile file names (newline, ESC, ';', $(...), backquotes) and a
// MEDSHAKEEHRPATH with shell syntax are planted in fixture roots; every
// remediation command of the report must pass `sh -n`, tokenize into exactly
// the intended simple commands with no expansion, and make the real /bin/sh
// call exactly the expected argv (nothing else runs: PATH is empty).
#include <gtest/gtest.h>

#include <fstream>

#include "fixture_root.hpp"
#include "report_json.hpp"
#include "shell_tokens.hpp"

namespace clinic_audit::testing {
namespace {

const std::vector<std::string> kRemediationPrograms{"chown",  "chmod",  "mkdir", "setfacl",
                                                    "printf", "visudo", "mv",    "systemctl"};

// Every command of every result: syntax, tokens, and the shell's own argv.
// Returns the argv lists the shell ran, in report order.
std::vector<std::vector<std::string>> proven_commands(const nlohmann::json& report) {
  std::vector<std::vector<std::string>> all;
  for (const auto& result : report["results"]) {
    for (const auto& item : result["remediation_commands"]) {
      const std::string command = item.get<std::string>();
      SCOPED_TRACE(result["check_id"].get<std::string>() + ": " + command);
      EXPECT_EQ(sh_syntax_error(command), "");
      const Tokenized t = tokenize_shell(command);
      EXPECT_FALSE(t.unsupported) << t.why;
      EXPECT_FALSE(t.expansion);
      EXPECT_FALSE(t.control);
      EXPECT_FALSE(t.unquoted_glob);
      std::string err;
      const auto ran = sh_recorded_argv(command, kRemediationPrograms, err);
      EXPECT_EQ(err, "");
      std::vector<std::vector<std::string>> expected;
      for (const auto& simple : t.commands) {
        EXPECT_NE(std::find(kRemediationPrograms.begin(), kRemediationPrograms.end(), simple.argv.front()),
                  kRemediationPrograms.end());
        expected.push_back(simple.argv);
      }
      // A command joined with && runs every part when the recorded ones succeed.
      EXPECT_EQ(ran, expected);
      all.insert(all.end(), ran.begin(), ran.end());
    }
  }
  return all;
}

nlohmann::json audit(const FixtureRoot& root, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"run",       "--root",    root.path().string(), "--policy", "apicrypt-v1",
                                "--offline", "--no-sign", "--format",           "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const AgentRun run = run_agent(args);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  return parse_report(run.out);
}

// /home/EHR/apicrypt is a symlink to a directory www-data owns (0775) whose name is
// `name`: the fix must chown exactly that directory.
FixtureRoot planted_name_root(const std::string& test, const std::string& name) {
  FixtureRoot root(fixture_dir(test));
  root.debian_accounts().dir("/home/EHR", 0755).dir("/opt", 0755);
  const std::string dir = "/opt/" + name;
  root.dir(dir, 0775, 33, 33).dir(dir + "/bin", 0755);
  for (const char* binary : {"apicrypt", "apicryptpj", "apiuncrypt", "apiuncryptpj"}) {
    root.file(dir + "/bin/" + binary, "#!/bin/sh\n", 0755);
  }
  root.symlink("/home/EHR/apicrypt", dir);
  return root;
}

struct PlantedName {
  const char* label;
  std::string name;
  bool has_control;
};
// gtest prints the case by name, not as bytes.
void PrintTo(const PlantedName& p, std::ostream* os) { *os << p.label; }

class PlantedFileName : public ::testing::TestWithParam<PlantedName> {};

TEST_P(PlantedFileName, FixQuotesTheNameOrIsWithheld) {
  const auto& planted = GetParam();
  const FixtureRoot root = planted_name_root(std::string("inject-name-") + planted.label, planted.name);
  const auto report = audit(root);
  const auto ran = proven_commands(report);
  const std::string dir = "/opt/" + planted.name;
  const std::vector<std::string> chown_dir{"chown", "root:root", dir};
  const auto r = result_of(report, "apicrypt-v1.binary.apicrypt");
  EXPECT_EQ(r["status"], "fail");
  if (planted.has_control) {
    // Never in a command (a newline would start another on paste, ESC would
    // rewrite the terminal): withheld, with the reason, escaped.
    EXPECT_EQ(std::count(ran.begin(), ran.end(), chown_dir), 0);
    EXPECT_NE(r["remediation"].get<std::string>().find("withheld because it would contain a control character"),
              std::string::npos)
        << r["remediation"];
  } else {
    // Once per binary check: the directory above each of the four.
    EXPECT_EQ(std::count(ran.begin(), ran.end(), chown_dir), 4);
    EXPECT_EQ(std::count(ran.begin(), ran.end(), std::vector<std::string>{"chmod", "go-w", dir}), 4);
  }
}

INSTANTIATE_TEST_SUITE_P(Issue20, PlantedFileName,
                         ::testing::Values(PlantedName{"semicolon", "x;touch pwned", false},
                                           PlantedName{"command-substitution", "$(touch pwned)", false},
                                           PlantedName{"backquotes", "`touch pwned`", false},
                                           PlantedName{"quote", "it's'$(id)", false}, PlantedName{"glob", "*", false},
                                           PlantedName{"newline", "x\ntouch pwned", true},
                                           PlantedName{"escape", "x\x1b]0;owned\x07\x1b[2J", true}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.label;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// A MEDSHAKEEHRPATH with shell syntax, in the vhost or the .htaccess: never
// the value used, reported as a finding with where it was found.
struct HostileSetEnv {
  const char* label;
  bool in_htaccess;
  std::string value;
};
// gtest prints the case by name, not as bytes.
void PrintTo(const HostileSetEnv& p, std::ostream* os) { *os << p.label; }

class HostileEhrPath : public ::testing::TestWithParam<HostileSetEnv> {};

TEST_P(HostileEhrPath, RejectedAsEvidenceNeverUsed) {
  const auto& p = GetParam();
  FixtureRoot root(fixture_dir(std::string("inject-setenv-") + p.label));
  root.debian_accounts().dir("/home/EHR/apicrypt/bin", 0755);
  std::string vhost = "<VirtualHost *:443>\n  DocumentRoot /home/ehr/public_html\n";
  if (!p.in_htaccess) vhost += "  SetEnv MEDSHAKEEHRPATH \"" + p.value + "\"\n";
  vhost += "  <Directory /home/ehr/public_html>\n    AllowOverride All\n  </Directory>\n</VirtualHost>\n";
  root.file("/etc/apache2/apache2.conf", "ServerRoot /etc/apache2\n")
      .file("/etc/apache2/sites-available/msehr.conf", vhost)
      .symlink("/etc/apache2/sites-enabled/msehr.conf", "../sites-available/msehr.conf")
      .dir("/home/ehr/public_html", 0755, 33, 33);
  if (p.in_htaccess) {
    root.file("/home/ehr/public_html/.htaccess", "SetEnv MEDSHAKEEHRPATH \"" + p.value + "\"\n", 0644, 33, 33);
  }
  const auto report = audit(root);
  proven_commands(report);
  // The default applies; the hostile value is evidence of a finding.
  for (const auto& v : report["variables"]) {
    if (v["name"] != "ehr_root") continue;
    EXPECT_EQ(v["value"], "/home/EHR");
    EXPECT_EQ(v["origin"], "policy default");
    ASSERT_EQ(v["other_sources"].size(), 1u) << v;
    EXPECT_EQ(v["other_sources"][0]["value"], p.value);
    EXPECT_NE(v["other_sources"][0]["rejected_because"].get<std::string>().find("not a plausible absolute path"),
              std::string::npos);
  }
  const auto finding = result_of(report, "apicrypt-v1.variable.ehr_root");
  EXPECT_EQ(finding["status"], "fail");
  EXPECT_EQ(finding["type"], "discovery");
  EXPECT_EQ(finding["evidence"][0]["path"],
            p.in_htaccess ? "/home/ehr/public_html/.htaccess" : "/etc/apache2/sites-enabled/msehr.conf");
  EXPECT_EQ(finding["evidence"][0]["line"], p.in_htaccess ? 1 : 3);
  EXPECT_TRUE(finding["remediation_commands"].empty());
  // Nothing of the value reached any command.
  for (const auto& result : report["results"]) {
    for (const auto& c : result["remediation_commands"]) {
      EXPECT_EQ(c.get<std::string>().find("pwned"), std::string::npos) << c;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Issue20, HostileEhrPath,
                         ::testing::Values(HostileSetEnv{"vhost_semicolon", false, "/home/ehr;touch /tmp/pwned"},
                                           HostileSetEnv{"vhost_subst", false, "/home/$(touch /tmp/pwned)"},
                                           HostileSetEnv{"htaccess_backquote", true, "/home/`touch /tmp/pwned`"},
                                           HostileSetEnv{"htaccess_relative", true, "pwned/../ehr"},
                                           HostileSetEnv{"htaccess_dotdot", true, "/home/ehr/../pwned"}),
                         [](const auto& param_info) { return std::string(param_info.param.label); });

// A site configuration value is the administrator's, so it is used, but as
// one quoted word: the shell passes it to printf unchanged.
TEST(RemediationQuoting, SiteValueWithShellSyntaxIsOneWord) {
  FixtureRoot root(fixture_dir("inject-site-value"));
  root.debian_accounts();
  const std::string value = "/srv/a b;`touch pwned`$(touch pwned)'q";
  std::ofstream(root.path() / "agent.conf")
      << "<?xml version=\"1.0\"?>\n<agent-config xmlns=\"urn:clinic-audit:config:1\">\n  <variable name=\"ehr_root\">"
      << "/srv/a b;`touch pwned`$(touch pwned)&apos;q</variable>\n</agent-config>\n";
  const auto report = audit(root, {"--config", (root.path() / "agent.conf").string()});
  const auto ran = proven_commands(report);
  const auto grants = result_of(report, "apicrypt-v1.sudoers.grants");
  ASSERT_EQ(grants["status"], "fail");
  ASSERT_FALSE(grants["remediation_commands"].empty());
  const std::vector<std::string> printf_argv{"printf", "www-data ALL=(root) NOPASSWD: %s/apicrypt/bin/%s\\n",
                                             value,    "apicrypt",
                                             value,    "apicryptpj",
                                             value,    "apiuncrypt",
                                             value,    "apiuncryptpj"};
  EXPECT_EQ(std::count(ran.begin(), ran.end(), printf_argv), 1);
}

// A value with a control character is never put into a command.
TEST(RemediationQuoting, SiteValueWithNewlineRefusesTheCommand) {
  FixtureRoot root(fixture_dir("inject-site-newline"));
  root.debian_accounts();
  std::ofstream(root.path() / "agent.conf")
      << "<?xml version=\"1.0\"?>\n<agent-config xmlns=\"urn:clinic-audit:config:1\">\n  <variable name=\"ehr_root\">"
      << "/srv/x&#10;touch pwned</variable>\n</agent-config>\n";
  const auto report = audit(root, {"--config", (root.path() / "agent.conf").string()});
  proven_commands(report);
  const auto grants = result_of(report, "apicrypt-v1.sudoers.grants");
  EXPECT_EQ(grants["status"], "fail");
  for (const auto& c : grants["remediation_commands"])
    EXPECT_EQ(c.get<std::string>().find("printf"), std::string::npos) << c;
  EXPECT_NE(grants["remediation"].get<std::string>().find("holds a control character (/srv/x\\ntouch pwned"),
            std::string::npos)
      << grants["remediation"];
}

TEST(ShellTokens, TokenizerAgreesWithTheShellOnQuoting) {
  CA_REQUIRE_ROOT();  // sh_recorded_argv mounts tmpfs in a mount namespace
  const std::string command = "chown root:root '/opt/a'\\''b;$(x)' && chmod go-w /opt/c";
  const Tokenized t = tokenize_shell(command);
  ASSERT_FALSE(t.unsupported) << t.why;
  EXPECT_FALSE(t.expansion);
  ASSERT_EQ(t.commands.size(), 2u);
  EXPECT_EQ(t.commands[0].argv, (std::vector<std::string>{"chown", "root:root", "/opt/a'b;$(x)"}));
  std::string err;
  EXPECT_EQ(sh_recorded_argv(command, kRemediationPrograms, err),
            (std::vector<std::vector<std::string>>{{"chown", "root:root", "/opt/a'b;$(x)"},
                                                   {"chmod", "go-w", "/opt/c"}}));
  // And it sees what quoting would have prevented.
  EXPECT_TRUE(tokenize_shell("chown root:root /opt/$(touch x)").expansion);
  EXPECT_TRUE(tokenize_shell("chown root:root /opt/x;touch y").commands.size() == 2);
  std::string err2;
  const auto ran = sh_recorded_argv("chown root /x; touch y", kRemediationPrograms, err2);
  EXPECT_NE(err2.find("touch"), std::string::npos) << "an injected program cannot run: PATH is empty";
}

}  // namespace
}  // namespace clinic_audit::testing
