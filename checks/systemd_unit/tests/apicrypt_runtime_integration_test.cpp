// End to end: the built clinic-audit binary runs the shipped apicrypt-v2
// policy's runtime rules (systemd_unit, php_ini, service) on fixture roots.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

const std::vector<std::string> kChecks = {"apicrypt-v2.apache.privatetmp", "apicrypt-v2.php-fpm.privatetmp",
                                          "apicrypt-v2.php.sys-temp-dir", "apicrypt-v2.service.compagnon"};

nlohmann::json audit(const FixtureRoot& root, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"run",
                                "--root",
                                root.path().string(),
                                "--policy",
                                (source_dir() / "policies/apicrypt-v2.xml").string(),
                                "--offline",
                                "--no-sign",
                                "--format",
                                "json",
                                "--state-dir",
                                (root.path().string() + "-state")};
  for (const auto& id : kChecks) {
    args.push_back("--only");
    args.push_back(id);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  const AgentRun run = run_agent(args);
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.exit_code << ": " << run.err;
  return nlohmann::json::parse(run.out);
}

nlohmann::json result(const nlohmann::json& report, const std::string& id) {
  for (const auto& r : report["results"]) {
    if (r["check_id"] == id) return r;
  }
  ADD_FAILURE() << "no result " << id;
  return {};
}

void debian_base(FixtureRoot& r) {
  r.debian_accounts();
  const auto units = source_dir() / "tests/fixtures/systemd_unit/files";
  std::ifstream apache(units / "apache2.service"), fpm(units / "php8.2-fpm.service");
  std::stringstream a, f;
  a << apache.rdbuf();
  f << fpm.rdbuf();
  r.file("/lib/systemd/system/apache2.service", a.str()).file("/lib/systemd/system/php8.2-fpm.service", f.str());
  r.file("/etc/php/8.2/apache2/php.ini", "[PHP]\n;sys_temp_dir = \"/tmp\"\n")
      .file("/etc/php/8.2/cli/php.ini", "[PHP]\n;sys_temp_dir = \"/tmp\"\n");
  r.file("/lib/systemd/system/compagnonApicrypt.service",
         "[Service]\nExecStart=/opt/apicrypt/compagnonApicrypt\n[Install]\nWantedBy=multi-user.target\n");
}

TEST(ApicryptRuntime, ModPhpHostWithDebianDefaultsFails) {
  FixtureRoot r(fixture_dir("runtime_mod_php_defaults"));
  debian_base(r);
  r.file("/etc/apache2/mods-enabled/php8.2.load", "LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n");
  r.file("/etc/php/8.2/apache2/conf.d/90-ehr.ini", "; EHR\nsys_temp_dir = /var/lib/php/tmp\n");
  const auto report = audit(r);
  const auto apache = result(report, "apicrypt-v2.apache.privatetmp");
  EXPECT_EQ(apache["status"], "fail");
  EXPECT_EQ(apache["evidence"][0]["path"], "/lib/systemd/system/apache2.service");
  EXPECT_EQ(apache["evidence"][0]["line"], 13);
  EXPECT_EQ(apache["remediation_commands"][2], "systemctl daemon-reload") << apache.dump(2);
  EXPECT_EQ(result(report, "apicrypt-v2.php-fpm.privatetmp")["status"], "not_applicable");
  const auto ini = result(report, "apicrypt-v2.php.sys-temp-dir");
  EXPECT_EQ(ini["status"], "fail");
  bool named = false;
  for (const auto& e : ini["evidence"]) {
    named = named || (e["path"] == "/etc/php/8.2/apache2/conf.d/90-ehr.ini" && e["line"] == 2);
  }
  EXPECT_TRUE(named) << ini.dump();
  const auto service = result(report, "apicrypt-v2.service.compagnon");
  EXPECT_EQ(service["status"], "fail");
  EXPECT_EQ(service["remediation_commands"], (nlohmann::json{"systemctl enable --now compagnonApicrypt.service"}))
      << service.dump(2);
}

TEST(ApicryptRuntime, FixedFpmHostPasses) {
  FixtureRoot r(fixture_dir("runtime_fpm_fixed"));
  debian_base(r);
  r.file("/etc/apache2/mods-enabled/proxy_fcgi.load", "LoadModule proxy_fcgi_module x\n")
      .file("/etc/php/8.2/fpm/php.ini", "[PHP]\nsys_temp_dir = /tmp\n")
      .file("/etc/php/8.2/fpm/php-fpm.conf", "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n")
      .file("/etc/php/8.2/fpm/pool.d/www.conf", "[www]\nuser = www-data\n")
      .symlink("/etc/systemd/system/multi-user.target.wants/compagnonApicrypt.service",
               "/lib/systemd/system/compagnonApicrypt.service");
  const auto report = audit(r);
  EXPECT_EQ(result(report, "apicrypt-v2.apache.privatetmp")["status"], "not_applicable");
  const auto fpm = result(report, "apicrypt-v2.php-fpm.privatetmp");
  EXPECT_EQ(fpm["status"], "pass") << fpm.dump();
  EXPECT_EQ(result(report, "apicrypt-v2.php.sys-temp-dir")["status"], "pass");
  EXPECT_EQ(result(report, "apicrypt-v2.service.compagnon")["status"], "pass");
}

TEST(ApicryptRuntime, ApicryptV1HostIsNotApplicable) {
  FixtureRoot r(fixture_dir("runtime_v1"));
  debian_base(r);
  r.file("/etc/clinic-audit-test/agent.conf",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<agent-config xmlns=\"urn:clinic-audit:config:1\">\n"
         "  <variable name=\"apicrypt_version\">1</variable>\n</agent-config>\n");
  const auto report = audit(r, {"--config", r.host("/etc/clinic-audit-test/agent.conf").string()});
  for (const auto& id : kChecks) EXPECT_EQ(result(report, id)["status"], "not_applicable") << id;
}

}  // namespace
}  // namespace clinic_audit::testing
