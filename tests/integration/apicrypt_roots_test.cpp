// The shipped Apicrypt policies on a compliant and a non-compliant host
// (issue #2 items 8 and 10): exact status and evidence of every result.
#include <gtest/gtest.h>

#include <fstream>

#include "fixture_root.hpp"
#include "report_json.hpp"
#include "schema_validation.hpp"

namespace clinic_audit::testing {
namespace {

std::string build_root(const std::string& name) {
  FixtureRoot root(fixture_dir(name));
  root.apply_manifest(source_dir() / "tests/fixtures/roots" / (name + ".manifest"));
  return root.path().string();
}

AgentRun audit(const std::string& root, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"run",         "--root",    root,        "--policy", "apicrypt-v1", "--policy",
                                "apicrypt-v2", "--offline", "--no-sign", "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_agent(args);
}

TEST(ApicryptRoots, CompliantHostPassesEveryCheckAndExitsZero) {
  const auto root = build_root("apicrypt-compliant");
  const AgentRun run = audit(root);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto report = parse_report(run.out);
  const std::map<std::string, std::string> expected{{"apicrypt-v1.binary.apicrypt", "pass"},
                                                    {"apicrypt-v1.binary.apicryptpj", "pass"},
                                                    {"apicrypt-v1.binary.apiuncrypt", "pass"},
                                                    {"apicrypt-v1.binary.apiuncryptpj", "pass"},
                                                    {"apicrypt-v1.sudoers.grants", "pass"},
                                                    {"apicrypt-v1.sudoers.no-broader-grant", "pass"},
                                                    {"apicrypt-v2.binary.apiv2aesutility", "pass"},
                                                    {"apicrypt-v2.keys.clefs-directory", "pass"},
                                                    {"apicrypt-v2.apache.privatetmp", "pass"},
                                                    {"apicrypt-v2.php-fpm.privatetmp",
                                                     "not_applicable"},  // PHP runs as mod_php here
                                                    {"apicrypt-v2.php.sys-temp-dir", "pass"},
                                                    {"apicrypt-v2.service.compagnon", "pass"},
                                                    {"apicrypt-v2.openssl.seclevel", "pass"},
                                                    {"apicrypt-v2.sudoers.restart-apicrypt", "pass"}};
  EXPECT_EQ(statuses(report), expected);
  // ehr_root came from `SetEnv MEDSHAKEEHRPATH /srv/EHR/` (trailing slash dropped).
  const auto r = result_of(report, "apicrypt-v1.binary.apiuncryptpj");
  EXPECT_EQ(r["evidence"][0]["path"], "/srv/EHR/apicrypt/bin/apiuncryptpj");
  EXPECT_EQ(r["evidence"][0]["observed"], "owner=root group=root mode=0750 type=regular file");
  EXPECT_EQ(report["host"]["hostname"], "cabinet-conforme");
  EXPECT_EQ(report["host"]["machine_id"], "5f1c0e0d2b9a4c5e8f7a6b5c4d3e2f10");
  EXPECT_EQ(report["host"]["os_release"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(report["run"]["root"], root);
  EXPECT_EQ(report["summary"]["compliant"], true);
}

TEST(ApicryptRoots, NonCompliantHostReportsEachDefectPrecisely) {
  const auto root = build_root("apicrypt-noncompliant");
  const AgentRun run = audit(root);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto report = parse_report(run.out);
  const std::map<std::string, std::string> expected{
      {"apicrypt-v1.binary.apicrypt", "fail"},
      {"apicrypt-v1.binary.apicryptpj", "fail"},
      {"apicrypt-v1.binary.apiuncrypt", "fail"},
      {"apicrypt-v1.binary.apiuncryptpj", "fail"},
      // sudo's semantics: `www-data ALL=(ALL) NOPASSWD: ALL` does grant the four
      // binaries (while the seed's lines in apicrypt.conf are skipped)...
      {"apicrypt-v1.sudoers.grants", "pass"},
      // ...and hands the machine to the web application.
      {"apicrypt-v1.sudoers.no-broader-grant", "fail"},
      {"apicrypt-v2.binary.apiv2aesutility", "fail"},
      {"apicrypt-v2.keys.clefs-directory", "fail"},
      {"apicrypt-v2.apache.privatetmp", "fail"},
      {"apicrypt-v2.php-fpm.privatetmp", "not_applicable"},
      {"apicrypt-v2.php.sys-temp-dir", "fail"},
      {"apicrypt-v2.service.compagnon", "fail"},
      {"apicrypt-v2.openssl.seclevel", "fail"},
      {"apicrypt-v2.sudoers.restart-apicrypt", "pass"}};
  EXPECT_EQ(statuses(report), expected);

  // Wrong owner: both the owner rule and "only root can replace it" fire.
  auto r = result_of(report, "apicrypt-v1.binary.apicrypt");
  ASSERT_EQ(r["evidence"].size(), 2u) << r.dump(2);
  EXPECT_EQ(r["evidence"][0]["path"], "/home/EHR/apicrypt/bin/apicrypt");
  EXPECT_EQ(r["evidence"][0]["observed"], "owner=www-data group=www-data mode=0755 type=regular file");
  EXPECT_EQ(r["evidence"][0]["expected"], "owner=root");
  EXPECT_EQ(r["evidence"][1]["observed"],
            "owner=www-data group=www-data mode=0755 type=regular file (writable by owner www-data)");
  EXPECT_EQ(r["evidence"][1]["expected"], "writable by root only");
  EXPECT_EQ(r["evidence"][0]["line"], nullptr);

  // Symlink into a directory group www-data can write: the directory is named.
  r = result_of(report, "apicrypt-v1.binary.apicryptpj");
  ASSERT_EQ(r["evidence"].size(), 1u) << r.dump(2);
  EXPECT_EQ(r["evidence"][0]["path"], "/opt/vendor");
  EXPECT_EQ(r["evidence"][0]["observed"],
            "owner=root group=www-data mode=0775 type=directory (writable by group www-data)");

  // World-writable binary.
  r = result_of(report, "apicrypt-v1.binary.apiuncrypt");
  ASSERT_EQ(r["evidence"].size(), 2u) << r.dump(2);
  EXPECT_EQ(r["evidence"][0]["expected"], "mode bits 0022 clear");
  EXPECT_EQ(r["evidence"][0]["observed"], "owner=root group=root mode=0777 type=regular file");
  EXPECT_EQ(r["evidence"][1]["observed"], "owner=root group=root mode=0777 type=regular file (writable by others)");

  // Missing binary.
  r = result_of(report, "apicrypt-v1.binary.apiuncryptpj");
  EXPECT_EQ(r["summary"], "/home/EHR/apicrypt/bin/apiuncryptpj does not exist");
  EXPECT_EQ(r["evidence"][0]["observed"], "missing");

  // No execute bit: www-data cannot run ApiV2AESUtility.
  r = result_of(report, "apicrypt-v2.binary.apiv2aesutility");
  ASSERT_EQ(r["evidence"].size(), 1u) << r.dump(2);
  EXPECT_EQ(r["evidence"][0]["expected"], "executable by www-data");
  EXPECT_EQ(r["evidence"][0]["observed"], "www-data cannot execute /home/EHR/apicrypt/bin/ApiV2AESUtility");

  // Clefs not writable by www-data (readable and searchable it is).
  r = result_of(report, "apicrypt-v2.keys.clefs-directory");
  ASSERT_EQ(r["evidence"].size(), 2u) << r.dump(2);
  EXPECT_EQ(r["evidence"][0]["expected"], "mode bits 0007 clear");
  EXPECT_EQ(r["evidence"][1]["expected"], "writable by www-data");
  EXPECT_EQ(r["evidence"][1]["observed"], "www-data cannot write /home/EHR/apicrypt/Clefs");
  // Exactly what this host needs (issue #17 item 2): www-data becomes the
  // owner (others may have nothing), gains write, others lose r and x.
  EXPECT_EQ(r["remediation_commands"],
            (nlohmann::json{"chown www-data /home/EHR/apicrypt/Clefs", "chmod o-rx,u+w /home/EHR/apicrypt/Clefs"}))
      << r.dump(2);
  // The blanket grant, with file and line; the skipped file is named too.
  r = result_of(report, "apicrypt-v1.sudoers.no-broader-grant");
  ASSERT_EQ(r["evidence"].size(), 2u) << r.dump(2);
  EXPECT_EQ(r["evidence"][0]["path"], "/etc/sudoers.d/webadmin");
  EXPECT_EQ(r["evidence"][0]["line"], 2);
  EXPECT_EQ(r["evidence"][0]["observed"], "www-data ALL=(ALL) NOPASSWD: ALL: ALL: any command as the runas user");
  EXPECT_EQ(r["evidence"][1]["path"], "/etc/sudoers.d/apicrypt.conf");
  EXPECT_NE(r["evidence"][1]["observed"].get<std::string>().find("sudo skips this file silently: name contains '.'"),
            std::string::npos);

  // Debian's apache2.service with PrivateTmp=true, not overridden.
  r = result_of(report, "apicrypt-v2.apache.privatetmp");
  EXPECT_EQ(r["evidence"][0]["path"], "/lib/systemd/system/apache2.service");
  EXPECT_EQ(r["evidence"][0]["line"], 13);
  EXPECT_EQ(r["evidence"][0]["observed"], "PrivateTmp=true");

  r = result_of(report, "apicrypt-v2.php.sys-temp-dir");
  EXPECT_EQ(r["evidence"][0]["path"], "/etc/php/8.2/apache2/php.ini");
  EXPECT_EQ(r["evidence"][0]["line"], 4);
  EXPECT_EQ(r["evidence"][0]["observed"], "sys_temp_dir = /var/tmp/php");

  // Level 0 set in a file of an included directory: that file and line decide.
  r = result_of(report, "apicrypt-v2.openssl.seclevel");
  EXPECT_NE(r["summary"].get<std::string>().find(
                "CipherString = DEFAULT@SECLEVEL=0 at /etc/ssl/legacy.d/seclevel0.cnf:2"),
            std::string::npos)
      << r["summary"];

  EXPECT_EQ(report["summary"]["fail"], 11);
  EXPECT_EQ(report["summary"]["compliant"], false);
}

TEST(ApicryptRoots, EveryFormatWrittenWithOutValidates) {
  const auto root = build_root("apicrypt-noncompliant");
  const auto out = fixture_dir("out-all-formats");
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(out);
  const AgentRun run = audit(root, {"--format", "xml", "--format", "junit", "--format", "nagios", "--format",
                                    "prometheus", "--format", "text", "--out", out.string(), "--state-dir",
                                    (out.parent_path() / "out-all-formats-state").string()});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.out, "");  // with --out nothing goes to stdout
  std::map<std::string, std::filesystem::path> by_ext;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(name.rfind("clinic-audit-cabinet-a-corriger-", 0), 0u) << name;
    by_ext[name.substr(name.find('.') + 1)] = entry.path();
  }
  ASSERT_EQ(by_ext.size(), 6u);
  for (const char* ext : {"json", "xml", "junit.xml", "nagios.txt", "prom", "txt"})
    EXPECT_EQ(by_ext.count(ext), 1u) << ext;
  EXPECT_EQ(validate_json_report_file(by_ext["json"]), "");
  EXPECT_EQ(validate_xml_report_file(by_ext["xml"]), "");
  std::ifstream prom(by_ext["prom"]);
  std::string metrics((std::istreambuf_iterator<char>(prom)), std::istreambuf_iterator<char>());
  EXPECT_EQ(validate_prometheus_metrics(metrics), "");
  std::ifstream nagios(by_ext["nagios.txt"]);
  std::string line;
  std::getline(nagios, line);
  EXPECT_EQ(line.rfind("CLINIC-AUDIT CRITICAL - 11 failed: ", 0), 0u) << line;
}

TEST(ApicryptRoots, WaiversTurnFailIntoWaivedUntilTheyExpire) {
  const auto root = build_root("apicrypt-noncompliant");
  const AgentRun run = run_agent({"run", "--root", root, "--config", fixture("configs/waivers.conf"), "--offline",
                                  "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto report = parse_report(run.out);
  auto r = result_of(report, "apicrypt-v1.binary.apicrypt");
  EXPECT_EQ(r["status"], "waived");
  EXPECT_EQ(r["waiver"], "vendor ships apicrypt owned by its service user; ticket 4711 (waiver until 2999-12-31)");
  r = result_of(report, "apicrypt-v1.binary.apiuncrypt");
  EXPECT_EQ(r["status"], "fail");
  EXPECT_NE(r["summary"].get<std::string>().find("(waiver expired on 2001-01-01)"), std::string::npos);
  EXPECT_EQ(report["summary"]["waived"], 1);
}

TEST(ApicryptRoots, SiteConfigurationOverridesVariables) {
  // No SetEnv on this host: ehr_root comes from agent.conf, and
  // apicrypt_version=1 makes the v2-only rules not applicable.
  const auto root = build_root("apicrypt-noncompliant");
  const AgentRun run = run_agent({"run", "--root", root, "--config", fixture("configs/variables.conf"), "--policy",
                                  "apicrypt-v2", "--only", "apicrypt-v2.keys.clefs-directory", "--only",
                                  "apicrypt-v2.binary.apiv2aesutility", "--offline", "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto report = parse_report(run.out);
  auto r = result_of(report, "apicrypt-v2.keys.clefs-directory");
  EXPECT_EQ(r["status"], "not_applicable");
  EXPECT_NE(r["summary"].get<std::string>().find("apicrypt_version = 2 (it is '1'"), std::string::npos) << r["summary"];
  EXPECT_EQ(report["results"].size(), 2u);
}

}  // namespace
}  // namespace clinic_audit::testing
