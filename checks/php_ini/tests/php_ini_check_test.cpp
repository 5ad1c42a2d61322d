// The php_ini check on fixture roots laid out like Debian 12.
#include "php_ini/php_ini_check.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/context.hpp"
#include "fixture_root.hpp"

namespace clinic_audit {
namespace {

using testing::FixtureRoot;
using testing::fixture_dir;

class NoCommands final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec&) override { throw CommandError("no command may run"); }
};

Outcome run(const FixtureRoot& r, std::vector<std::pair<std::string, std::string>> extra = {}) {
  Params p;
  p.add("directive", "sys_temp_dir");
  p.add("expected", "/tmp");
  for (const auto& [k, v] : extra) p.add(k, v);
  auto check = php_ini_check_type().create(p);
  RootFs fs(r.path());
  NoCommands runner;
  Context context(fs, runner, {});
  return check->run(context);
}

FixtureRoot debian_php(const std::string& name) {
  FixtureRoot r(fixture_dir(name));
  for (const char* sapi : {"cli", "fpm", "apache2"}) {
    r.file(std::string("/etc/php/8.2/") + sapi + "/php.ini", "[PHP]\n;sys_temp_dir = \"/tmp\"\nmemory_limit = 128M\n");
    r.dir(std::string("/etc/php/8.2/") + sapi + "/conf.d");
  }
  r.file("/etc/php/8.2/fpm/php-fpm.conf",
         "[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n");
  r.file("/etc/php/8.2/fpm/pool.d/www.conf", "[www]\nuser = www-data\n;php_admin_value[sys_temp_dir] = /x\n");
  return r;
}

TEST(PhpIniCheck, DebianDefaultsPass) {
  auto r = debian_php("php_check_default");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_NE(o.summary.find("PHP 8.2 fpm pool www"), std::string::npos) << o.summary;
}

TEST(PhpIniCheck, NoPhpIsNotApplicable) {
  FixtureRoot r(fixture_dir("php_check_none"));
  r.dir("/etc");
  EXPECT_EQ(run(r).status, Status::not_applicable);
}

TEST(PhpIniCheck, ConfDLaterFileWinsAndIsNamed) {
  auto r = debian_php("php_check_confd");
  r.file("/etc/php/8.2/apache2/conf.d/20-a.ini", "sys_temp_dir = /tmp\n")
      .file("/etc/php/8.2/apache2/conf.d/90-ehr.ini", "; EHR\n\nsys_temp_dir = \"/var/lib/php/tmp\" ; moved\n")
      .file("/etc/php/8.2/apache2/conf.d/99-not-ini.conf", "sys_temp_dir = /tmp\n");
  const Outcome o = run(r);
  ASSERT_EQ(o.status, Status::fail) << o.summary;
  bool found = false;
  for (const auto& e : o.evidence) {
    if (e.path == "/etc/php/8.2/apache2/conf.d/90-ehr.ini" && e.line == 3) found = true;
  }
  EXPECT_TRUE(found) << o.summary;
  EXPECT_EQ(o.remediation_commands,
            (std::vector<std::string>{
                "sed -i --follow-symlinks '3{/^[[:space:]]*[;#]/!s/^/;/}' /etc/php/8.2/apache2/conf.d/90-ehr.ini",
                "systemctl reload apache2"}));
}

TEST(PhpIniCheck, ExpectedValueAndTrailingSlashPass) {
  auto r = debian_php("php_check_expected");
  r.file("/etc/php/8.2/cli/conf.d/10.ini", "sys_temp_dir = /tmp/\n");
  EXPECT_EQ(run(r).status, Status::pass);
}

TEST(PhpIniCheck, FpmPoolAdminValueOverrides) {
  auto r = debian_php("php_check_pool");
  r.file("/etc/php/8.2/fpm/pool.d/ehr.conf", "[ehr]\nphp_admin_value[sys_temp_dir] = /srv/ehr/tmp\n");
  const Outcome o = run(r);
  ASSERT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("pool ehr"), std::string::npos) << o.summary;
  EXPECT_EQ(o.summary.find("pool www:"), o.summary.find("pool www:"));
  EXPECT_NE(std::find(o.remediation_commands.begin(), o.remediation_commands.end(), "systemctl reload php8.2-fpm"),
            o.remediation_commands.end());
}

TEST(PhpIniCheck, PathSectionCountsForFpmOnly) {
  auto r = debian_php("php_check_path_section");
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "[PATH=/var/www/ehr]\nsys_temp_dir = /elsewhere\n");
  EXPECT_EQ(run(r).status, Status::pass) << "CLI ignores [PATH=] sections";
  r.file("/etc/php/8.2/fpm/conf.d/50.ini", "[PATH=/var/www/ehr]\nsys_temp_dir = /elsewhere\n");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("PATH=/var/www/ehr"), std::string::npos) << o.summary;
}

TEST(PhpIniCheck, ApacheAdminValueOverridesModPhp) {
  auto r = debian_php("php_check_apache");
  r.file("/etc/apache2/sites-enabled/ehr.conf",
         "<VirtualHost *:443>\n  php_admin_value sys_temp_dir /srv/t\n</VirtualHost>\n");
  const Outcome o = run(r);
  ASSERT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("PHP 8.2 apache2"), std::string::npos);
  ASSERT_FALSE(o.remediation_commands.empty());
  EXPECT_EQ(o.remediation_commands[0],
            "sed -i --follow-symlinks '2{/^[[:space:]]*[;#]/!s/^/#/}' /etc/apache2/sites-enabled/ehr.conf");
}

TEST(PhpIniCheck, SyntaxErrorIsEvidenceAndStopsTheFile) {
  auto r = debian_php("php_check_syntax");
  r.file("/etc/php/8.2/cli/conf.d/10.ini", "a = \"unterminated\nsys_temp_dir = /bad\n");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << "PHP stops reading the file at the error";
  bool syntax = false;
  for (const auto& e : o.evidence) syntax = syntax || e.observed.find("syntax error") != std::string::npos;
  EXPECT_TRUE(syntax);
}

TEST(PhpIniCheck, SapiParameterRestricts) {
  auto r = debian_php("php_check_sapi");
  r.file("/etc/php/8.2/cli/conf.d/10.ini", "sys_temp_dir = /bad\n");
  EXPECT_EQ(run(r, {{"sapi", "fpm"}}).status, Status::pass);
  EXPECT_EQ(run(r, {{"sapi", "cli"}}).status, Status::fail);
  Params p;
  p.add("directive", "sys_temp_dir");
  p.add("expected", "/tmp");
  p.add("sapi", "nginx");
  EXPECT_THROW(php_ini_check_type().create(p), ParamError);
}

}  // namespace
}  // namespace clinic_audit
