// The built clinic-audit on the sudoers fixture roots with the shipped
// policies (issue #3 item 7): `run --root DIR --offline --no-sign --format
// json --only ID`, exact statuses, evidence and exit codes (DESIGN.md §4, §6).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> kV1 = {"apicrypt-v1.sudoers.grants", "apicrypt-v1.sudoers.no-broader-grant"};

std::string build_root(const std::string& scenario) {
  FixtureRoot root(fixture_dir("sudoers-integration/" + scenario));
  root.debian_accounts();
  const auto dir = source_dir() / "tests/fixtures/sudoers/roots";
  root.apply_manifest(dir / "base.manifest");
  root.apply_manifest(dir / (scenario + ".manifest"));
  return root.path().string();
}

struct Audit {
  int exit_code = -1;
  std::map<std::string, json> results;  // check_id -> result
  std::string err;
};

Audit audit(const std::string& scenario, const std::string& policy, const std::vector<std::string>& ids) {
  std::vector<std::string> args{"run",       "--root",    build_root(scenario), "--policy", policy,
                                "--offline", "--no-sign", "--format",           "json"};
  for (const auto& id : ids) {
    args.push_back("--only");
    args.push_back(id);
  }
  const AgentRun run = run_agent(args);
  Audit out{run.exit_code, {}, run.err};
  const json report = json::parse(run.out, nullptr, false);
  EXPECT_FALSE(report.is_discarded()) << "not JSON: " << run.out << run.err;
  if (report.is_discarded()) return out;
  for (const auto& r : report.at("results")) out.results[r.at("check_id").get<std::string>()] = r;
  EXPECT_EQ(out.results.size(), ids.size()) << report.dump(2);
  return out;
}

// The evidence items as "path:line: observed".
std::vector<std::string> evidence(const json& result) {
  std::vector<std::string> out;
  for (const auto& e : result.at("evidence")) {
    out.push_back(e.at("path").get<std::string>() + ":" + (e.at("line").is_null() ? "-" : e.at("line").dump()) + ": " +
                  e.at("observed").get<std::string>());
  }
  return out;
}

TEST(SudoersIntegration, CompliantHostPasses) {
  const Audit a = audit("compliant", "apicrypt-v1", kV1);
  EXPECT_EQ(a.exit_code, 0) << a.err;
  const json& grants = a.results.at("apicrypt-v1.sudoers.grants");
  EXPECT_EQ(grants.at("status"), "pass");
  EXPECT_EQ(grants.at("summary"), "all 4 required grants to www-data are in effect");
  EXPECT_EQ(
      evidence(grants),
      (std::vector<std::string>{
          "/etc/sudoers.d/apicrypt:1: granted by www-data ALL=(ALL) NOPASSWD: /home/EHR/apicrypt/bin/apicrypt",
          "/etc/sudoers.d/apicrypt:2: granted by www-data ALL=(ALL) NOPASSWD: /home/EHR/apicrypt/bin/apicryptpj",
          "/etc/sudoers.d/apicrypt:3: granted by www-data ALL=(ALL) NOPASSWD: /home/EHR/apicrypt/bin/apiuncrypt",
          "/etc/sudoers.d/apicrypt:4: granted by www-data ALL=(ALL) NOPASSWD: /home/EHR/apicrypt/bin/apiuncryptpj"}));
  const json& broader = a.results.at("apicrypt-v1.sudoers.no-broader-grant");
  EXPECT_EQ(broader.at("status"), "pass");
  EXPECT_EQ(broader.at("summary"), "no grant to www-data is broader than required");
  EXPECT_TRUE(broader.at("evidence").empty());
}

TEST(SudoersIntegration, GrantsInSkippedConfFileFail) {
  const Audit a = audit("skipped_conf", "apicrypt-v1", kV1);
  EXPECT_EQ(a.exit_code, 1) << a.err;
  const json& grants = a.results.at("apicrypt-v1.sudoers.grants");
  EXPECT_EQ(grants.at("status"), "fail");
  EXPECT_EQ(grants.at("summary"), "4 of 4 required grants to www-data are not in effect");
  const auto items = evidence(grants);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0], "/etc/sudoers:-: no rule lets www-data run /home/EHR/apicrypt/bin/apicrypt without arguments");
  EXPECT_EQ(items[4],
            "/etc/sudoers.d/apicrypt.conf:-: sudo skips this file silently: name contains '.' or ends in '~': "
            "sudo skips it in an @includedir (included from /etc/sudoers:54)");
  // Commands and note, as the report carries them (issue #17 item 2).
  std::string fix = grants.at("remediation").get<std::string>();
  for (const auto& command : grants.at("remediation_commands")) fix += "\n" + command.get<std::string>();
  EXPECT_NE(fix.find("visudo -c -f /etc/sudoers.d/apicrypt"), std::string::npos) << fix;
  // The four grant lines appear once, as commands (issue #17 item 2).
  const std::string line = "printf '%s\\n' 'www-data ALL=(root) NOPASSWD: /home/EHR/apicrypt/bin/apicrypt'";
  const std::size_t first = fix.find(line);
  EXPECT_NE(first, std::string::npos) << fix;
  EXPECT_EQ(fix.find(line, first + 1), std::string::npos) << fix;
  EXPECT_EQ(fix.find("www-data ALL=(root) NOPASSWD: /home/EHR/apicrypt/bin/apicrypt\n"), std::string::npos) << fix;
  EXPECT_EQ(a.results.at("apicrypt-v1.sudoers.no-broader-grant").at("status"), "pass");
}

TEST(SudoersIntegration, GrantRevokedByLaterNegationFails) {
  const Audit a = audit("revoked", "apicrypt-v1", kV1);
  EXPECT_EQ(a.exit_code, 1) << a.err;
  const json& grants = a.results.at("apicrypt-v1.sudoers.grants");
  EXPECT_EQ(grants.at("status"), "fail");
  EXPECT_EQ(grants.at("summary"), "1 of 4 required grants to www-data are not in effect");
  EXPECT_EQ(evidence(grants).at(0), "/etc/sudoers.d/zz-local:2: denied without arguments by the last matching rule: "
                                    "www-data ALL=(ALL) !/home/EHR/apicrypt/bin/apiuncryptpj");
}

TEST(SudoersIntegration, WwwDataAllIsForbidden) {
  const Audit a = audit("www_data_all", "apicrypt-v1", kV1);
  EXPECT_EQ(a.exit_code, 1) << a.err;
  EXPECT_EQ(a.results.at("apicrypt-v1.sudoers.grants").at("status"), "pass");
  const json& broader = a.results.at("apicrypt-v1.sudoers.no-broader-grant");
  EXPECT_EQ(broader.at("status"), "fail");
  EXPECT_EQ(evidence(broader),
            (std::vector<std::string>{"/etc/sudoers.d/web:1: www-data ALL=(ALL) NOPASSWD: ALL: ALL: any command as the "
                                      "runas user"}));
  EXPECT_EQ(broader.at("evidence")[0].at("expected"),
            "no grant to www-data beyond /home/EHR/apicrypt/bin/apicrypt, /home/EHR/apicrypt/bin/apicryptpj, "
            "/home/EHR/apicrypt/bin/apiuncrypt, /home/EHR/apicrypt/bin/apiuncryptpj, "
            "/usr/sbin/service compagnonApicrypt *");
}

TEST(SudoersIntegration, GrantedBinaryInWwwDataWritableDirectoryIsForbidden) {
  const Audit a = audit("writable_dir", "apicrypt-v1", kV1);
  EXPECT_EQ(a.exit_code, 1) << a.err;
  const json& broader = a.results.at("apicrypt-v1.sudoers.no-broader-grant");
  EXPECT_EQ(broader.at("status"), "fail");
  const auto items = evidence(broader);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0], "/etc/sudoers.d/apicrypt:1: www-data ALL=(ALL) NOPASSWD: /home/EHR/apicrypt/bin/apicrypt: "
                      "/home/EHR/apicrypt/bin is writable by owner www-data (owner=www-data group=www-data mode=0755 "
                      "type=directory): /home/EHR/apicrypt/bin/apicrypt can be replaced by a non-root user");
}

// sudo recovers from the include loop (error_recovery): reported as visudo
// reports it, and the grants judged on what sudo uses.
TEST(SudoersIntegration, IncludeLoopIsReportedAndJudged) {
  const Audit a = audit("include_loop", "apicrypt-v1", kV1);
  EXPECT_EQ(a.exit_code, 1) << a.err;
  for (const auto& id : kV1) {
    const json& r = a.results.at(id);
    EXPECT_EQ(r.at("status"), "fail");
    EXPECT_NE(r.at("summary").get<std::string>().find("visudo -c reports"), std::string::npos) << r.dump(1);
  }
}

TEST(SudoersIntegration, RestartApicryptIsNotBroaderForApicryptV1) {
  const Audit a = audit("v2_restart", "apicrypt-v1", kV1);
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.results.at("apicrypt-v1.sudoers.no-broader-grant").at("status"), "pass");
}

TEST(SudoersIntegration, RestartApicryptIsReportedWithItsWildcard) {
  const Audit a = audit("v2_restart", "apicrypt-v2", {"apicrypt-v2.sudoers.restart-apicrypt"});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  const json& r = a.results.at("apicrypt-v2.sudoers.restart-apicrypt");
  EXPECT_EQ(r.at("status"), "pass");
  EXPECT_EQ(r.at("severity"), "info");
  EXPECT_EQ(r.at("summary"), "RESTART_APICRYPT (/usr/sbin/service compagnonApicrypt *) is defined; its trailing '*' "
                             "allows any arguments after 'compagnonApicrypt ' and granted to www-data");
  EXPECT_EQ(evidence(r), (std::vector<std::string>{"/etc/sudoers.d/restart:1: Cmnd_Alias RESTART_APICRYPT = "
                                                   "/usr/sbin/service compagnonApicrypt *"}));
}

}  // namespace
}  // namespace clinic_audit::testing
