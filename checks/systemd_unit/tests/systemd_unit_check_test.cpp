// The systemd_unit check on fixture roots: verdicts, evidence, remediation,
// which services serve PHP.
#include "systemd_unit/systemd_unit_check.hpp"

#include <gtest/gtest.h>

#include "common/context.hpp"
#include "fake_runner.hpp"
#include "fixture_root.hpp"

namespace clinic_audit {
namespace {

using testing::FixtureRoot;
using testing::fixture_dir;
using testing::source_dir;

FixtureRoot debian_apache(const std::string& name) {
  FixtureRoot r(fixture_dir(name));
  r.apply_manifest(source_dir() / "tests/fixtures/systemd_unit/apache_default.manifest");
  r.file("/lib/systemd/system/php8.2-fpm.service", "[Service]\nExecStart=/usr/sbin/php-fpm8.2\n");
  r.dir("/etc/php/8.2/fpm");
  return r;
}

Outcome run(const FixtureRoot& r, const std::vector<std::pair<std::string, std::string>>& params) {
  Params p;
  for (const auto& [k, v] : params) p.add(k, v);
  auto check = systemd_unit_check_type().create(p);
  RootFs fs(r.path());
  testing::RecordedRunner runner("");
  Context context(fs, runner, {});
  Outcome outcome = check->run(context);
  EXPECT_TRUE(runner.calls.empty()) << "with --root no live command may run";
  return outcome;
}

const std::vector<std::pair<std::string, std::string>> kApache = {{"unit", "apache2.service"},
                                                                  {"key", "PrivateTmp"},
                                                                  {"expected", "false"}};

TEST(SystemdUnitCheck, DebianDefaultFailsAtVendorLine) {
  auto r = debian_apache("check_default");
  const Outcome o = run(r, kApache);
  EXPECT_EQ(o.status, Status::fail);
  ASSERT_FALSE(o.evidence.empty());
  EXPECT_EQ(o.evidence[0].path, "/lib/systemd/system/apache2.service");
  EXPECT_EQ(o.evidence[0].line, 13);
  EXPECT_EQ(o.remediation_commands,
            (std::vector<std::string>{"mkdir -p /etc/systemd/system/apache2.service.d",
                                      "printf '[Service]\\nPrivateTmp=false\\n' > "
                                      "/etc/systemd/system/apache2.service.d/zz-clinic-audit.conf",
                                      "systemctl daemon-reload", "systemctl restart apache2.service"}));
}

TEST(SystemdUnitCheck, DropinOverridePasses) {
  auto r = debian_apache("check_dropin");
  r.file("/etc/systemd/system/apache2.service.d/override.conf", "[Service]\nPrivateTmp=no\n");
  const Outcome o = run(r, kApache);
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.evidence.at(0).path, "/etc/systemd/system/apache2.service.d/override.conf");
  EXPECT_EQ(o.evidence.at(0).line, 2);
}

TEST(SystemdUnitCheck, AdminFileRemediationNamesItsLine) {
  auto r = debian_apache("check_admin_line");
  r.file("/etc/systemd/system/apache2.service.d/override.conf", "[Service]\nPrivateTmp=no\n")
      .file("/etc/systemd/system/apache2.service.d/zz.conf", "[Service]\n\nPrivateTmp=yes\n");
  const Outcome o = run(r, kApache);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("/etc/systemd/system/apache2.service.d/zz.conf:3"), std::string::npos) << o.summary;
  ASSERT_FALSE(o.remediation_commands.empty());
  EXPECT_EQ(o.remediation_commands[0],
            "sed -i --follow-symlinks '3s/.*/PrivateTmp=false/' /etc/systemd/system/apache2.service.d/zz.conf");
}

TEST(SystemdUnitCheck, DynamicUserImpliesPrivateTmp) {
  auto r = debian_apache("check_dynamic");
  r.file("/etc/systemd/system/apache2.service.d/override.conf", "[Service]\nPrivateTmp=no\nDynamicUser=yes\n");
  const Outcome o = run(r, kApache);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("DynamicUser"), std::string::npos);
  EXPECT_EQ(o.evidence.at(0).line, 3);
}

TEST(SystemdUnitCheck, MaskedAndMissingUnits) {
  auto r = debian_apache("check_masked");
  r.symlink("/etc/systemd/system/apache2.service", "/dev/null");
  EXPECT_EQ(run(r, kApache).status, Status::not_applicable);
  FixtureRoot empty(fixture_dir("check_missing"));
  empty.dir("/etc");
  EXPECT_EQ(run(empty, kApache).status, Status::not_applicable);
  auto params = kApache;
  params.emplace_back("missing", "fail");
  EXPECT_EQ(run(empty, params).status, Status::fail);
}

TEST(SystemdUnitCheck, ModPhpMakesApacheMatter) {
  auto r = debian_apache("check_mod_php");
  auto params = kApache;
  params.emplace_back("only_if_serving_php", "true");
  EXPECT_EQ(run(r, params).status, Status::not_applicable) << "no mod_php, no proxy_fcgi";
  r.file("/etc/apache2/mods-enabled/php8.2.load", "LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n");
  const Outcome o = run(r, params);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("apache2.service"), std::string::npos);
}

TEST(SystemdUnitCheck, FpmMattersOnlyThroughProxyFcgi) {
  auto r = debian_apache("check_fpm");
  r.file("/etc/systemd/system/php8.2-fpm.service.d/tmp.conf", "[Service]\nPrivateTmp=yes\n");
  const std::vector<std::pair<std::string, std::string>> params = {{"unit", "php*-fpm.service"},
                                                                   {"key", "PrivateTmp"},
                                                                   {"expected", "false"},
                                                                   {"only_if_serving_php", "true"}};
  const Outcome without = run(r, params);
  EXPECT_EQ(without.status, Status::not_applicable);
  EXPECT_NE(without.summary.find("proxy_fcgi"), std::string::npos) << without.summary;
  r.file("/etc/apache2/mods-enabled/proxy_fcgi.load", "LoadModule proxy_fcgi_module x\n");
  const Outcome with = run(r, params);
  EXPECT_EQ(with.status, Status::fail);
  EXPECT_EQ(with.evidence.at(0).path, "/etc/systemd/system/php8.2-fpm.service.d/tmp.conf");
}

TEST(SystemdUnitCheck, StringSettings) {
  auto r = debian_apache("check_string");
  const Outcome o =
      run(r, {{"unit", "apache2.service"}, {"key", "KillMode"}, {"expected", "mixed"}, {"type", "string"}});
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.evidence.at(0).line, 12);
}

TEST(SystemdUnitCheck, BadParametersAreRejected) {
  auto make = [](std::vector<std::pair<std::string, std::string>> params) {
    Params p;
    for (const auto& [k, v] : params) p.add(k, v);
    return systemd_unit_check_type().create(p);
  };
  EXPECT_THROW(make({{"unit", "apache2.service"}, {"key", "PrivateTmp"}, {"expected", "maybe"}}), ParamError);
  EXPECT_THROW(make({{"unit", "/etc/x.service"}, {"key", "PrivateTmp"}, {"expected", "no"}}), ParamError);
  EXPECT_THROW(make({{"unit", "a.service"}, {"key", "A=B"}, {"expected", "no"}}), ParamError);
}

TEST(SystemdUnitCheck, LiveHostWithoutSystemdSaysSo) {
  RootFs live("/");
  if (live.exists("/run/systemd/system")) GTEST_SKIP() << "systemd is PID 1 here";
  if (!live.exists("/lib/systemd/system/systemd-journald.service")) GTEST_SKIP() << "no systemd package";
  Params p;
  p.add("unit", "systemd-journald.service");
  p.add("key", "PrivateTmp");
  p.add("expected", "no");
  auto check = systemd_unit_check_type().create(p);
  testing::RecordedRunner runner("");
  Context context(live, runner, {});
  const Outcome o = check->run(context);
  EXPECT_NE(o.summary.find("systemd is not PID 1"), std::string::npos) << o.summary;
  EXPECT_TRUE(runner.calls.empty());
}

bool has_evidence(const Outcome& o, const std::string& path, int line, const std::string& text) {
  for (const auto& e : o.evidence) {
    if (e.path == path && e.line == line && e.observed.find(text) != std::string::npos) return true;
  }
  return false;
}

// Issue #21 item 9: the line that won and each line that lost, with why.
TEST(SystemdUnitCheck, EvidenceNamesWinnerAndLosers) {
  auto r = debian_apache("check_losers");
  r.file("/etc/systemd/system/apache2.service.d/10-a.conf", "[Service]\nPrivateTmp=false\n")
      .file("/etc/systemd/system/apache2.service.d/20-b.conf", "[Service]\nRootDirectory=srv\nPrivateTmp=false\n");
  const Outcome o = run(r, kApache);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/systemd/system/apache2.service.d/10-a.conf", 2, "PrivateTmp=false")) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/lib/systemd/system/apache2.service", 13,
                           "overridden by /etc/systemd/system/apache2.service.d/10-a.conf:2"))
      << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/systemd/system/apache2.service.d/20-b.conf", 3, "never read"));
}

TEST(SystemdUnitCheck, FatalLineInUnitFileFailsTheLoad) {
  auto r = debian_apache("check_fatal_fragment");
  r.file("/etc/systemd/system/apache2.service",
         "[Service]\nExecStart=/usr/sbin/apachectl start\nUser=www:data\nPrivateTmp=false\n");
  const Outcome o = run(r, kApache);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_NE(o.summary.find("fails to load"), std::string::npos) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/systemd/system/apache2.service", 3, "User=www:data")) << o.summary;
}

TEST(SystemdUnitCheck, UnreadableDropinIsErrorNamingIt) {
  auto r = debian_apache("check_unreadable_dropin");
  r.fifo("/etc/systemd/system/apache2.service.d/zz.conf");
  Params p;
  for (const auto& [k, v] : kApache) p.add(k, v);
  auto check = systemd_unit_check_type().create(p);
  RootFs fs(r.path());
  testing::RecordedRunner runner("");
  Context context(fs, runner, {});
  try {
    const Outcome o = check->run(context);
    ADD_FAILURE() << "expected an error, got " << to_string(o.status) << ": " << o.summary;
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/etc/systemd/system/apache2.service.d/zz.conf"), std::string::npos)
        << e.what();
  }
}

TEST(SystemdUnitCheck, UnreadableApacheModulesAreErrorNotNotApplicable) {
  auto r = debian_apache("check_unreadable_mods");
  r.symlink("/etc/apache2/mods-enabled", "/etc/apache2/mods-enabled");
  Params p;
  for (const auto& [k, v] : kApache) p.add(k, v);
  p.add("only_if_serving_php", "true");
  auto check = systemd_unit_check_type().create(p);
  RootFs fs(r.path());
  testing::RecordedRunner runner("");
  Context context(fs, runner, {});
  try {
    const Outcome o = check->run(context);
    ADD_FAILURE() << "expected an error, got " << to_string(o.status) << ": " << o.summary;
  } catch (const FsError& e) {
    EXPECT_EQ(e.path(), "/etc/apache2/mods-enabled") << e.what();
  }
}

}  // namespace
}  // namespace clinic_audit
