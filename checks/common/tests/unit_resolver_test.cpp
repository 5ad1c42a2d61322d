// Unit lookup on fixture roots: precedence, masking, drop-in directories.
#include "common/systemd/unit_resolver.hpp"

#include <gtest/gtest.h>

#include "common/check.hpp"

#include <functional>

#include "fixture_root.hpp"

namespace clinic_audit::systemd {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

constexpr const char* kUnit = "[Service]\nExecStart=/bin/true\nPrivateTmp=true\n";

TEST(UnitResolver, EtcBeatsLib) {
  FixtureRoot r(fixture_dir("resolver_etc_beats_lib"));
  r.file("/lib/systemd/system/a.service", kUnit).file("/etc/systemd/system/a.service", kUnit);
  RootFs fs(r.path());
  const auto unit = locate_unit(fs, "a.service");
  EXPECT_EQ(unit.fragment, "/etc/systemd/system/a.service");
}

TEST(UnitResolver, MaskedByDevNullLinkAndEmptyFile) {
  FixtureRoot r(fixture_dir("resolver_masked"));
  r.file("/lib/systemd/system/a.service", kUnit).symlink("/etc/systemd/system/a.service", "/dev/null");
  r.file("/lib/systemd/system/b.service", kUnit).file("/run/systemd/system/b.service", "");
  RootFs fs(r.path());
  EXPECT_TRUE(locate_unit(fs, "a.service").masked);
  EXPECT_EQ(locate_unit(fs, "a.service").masked_by, "/etc/systemd/system/a.service");
  EXPECT_TRUE(locate_unit(fs, "b.service").masked);
}

TEST(UnitResolver, DropinOrderAndHiding) {
  FixtureRoot r(fixture_dir("resolver_dropins"));
  r.file("/lib/systemd/system/foo-bar-baz.service", kUnit)
      .file("/lib/systemd/system/foo-bar-baz.service.d/50-x.conf", "[Service]\n")
      .file("/etc/systemd/system/foo-bar-baz.service.d/50-x.conf", "[Service]\n")
      .file("/etc/systemd/system/foo-.service.d/10-a.conf", "[Service]\n")
      .file("/etc/systemd/system/foo-bar-.service.d/10-a.conf", "[Service]\n")
      .file("/usr/lib/systemd/system/service.d/99-z.conf", "[Service]\n")
      .file("/etc/systemd/system/foo-bar-baz.service.d/not-a-dropin.txt", "[Service]\n")
      .symlink("/etc/systemd/system/foo-bar-baz.service.d/60-m.conf", "/dev/null")
      .file("/lib/systemd/system/foo-bar-baz.service.d/60-m.conf", "[Service]\n");
  RootFs fs(r.path());
  const auto unit = locate_unit(fs, "foo-bar-baz.service");
  const std::vector<std::string> expected = {"/etc/systemd/system/foo-bar-.service.d/10-a.conf",
                                             "/etc/systemd/system/foo-bar-baz.service.d/50-x.conf",
                                             "/usr/lib/systemd/system/service.d/99-z.conf"};
  EXPECT_EQ(unit.dropins, expected);
  ASSERT_EQ(unit.masked_dropins.size(), 1u);
}

TEST(UnitResolver, TemplateInstance) {
  FixtureRoot r(fixture_dir("resolver_template"));
  r.file("/lib/systemd/system/a@.service", kUnit).file("/etc/systemd/system/a@.service.d/o.conf", "[Service]\n");
  RootFs fs(r.path());
  const auto unit = locate_unit(fs, "a@x.service");
  EXPECT_EQ(unit.fragment, "/lib/systemd/system/a@.service");
  EXPECT_EQ(unit.dropins, std::vector<std::string>{"/etc/systemd/system/a@.service.d/o.conf"});
}

TEST(UnitResolver, EffectiveBooleanIgnoresInvalidAndKeepsLine) {
  FixtureRoot r(fixture_dir("resolver_effective"));
  r.file("/lib/systemd/system/a.service", kUnit)
      .file("/etc/systemd/system/a.service.d/o.conf", "[Service]\nPrivateTmp=false\nPrivateTmp=maybe\n");
  RootFs fs(r.path());
  const auto setting = effective_setting(fs, locate_unit(fs, "a.service"), "Service", "PrivateTmp", true);
  ASSERT_TRUE(setting.decided_by);
  EXPECT_EQ(setting.decided_by->path, "/etc/systemd/system/a.service.d/o.conf");
  EXPECT_EQ(setting.decided_by->line, 2);
  EXPECT_EQ(setting.value, "false");
  ASSERT_EQ(setting.ignored.size(), 1u);
  EXPECT_EQ(setting.ignored[0].line, 3);
}

// Issue #20 item 2: what we cannot read is an error naming it, never a
// verdict from the files around it (systemd would skip some of these; an
// auditor cannot tell what was meant).
TEST(UnitResolver, UnreadableSearchPathEntriesAreErrorsNamingThem) {
  struct Case {
    std::string name;
    std::function<void(FixtureRoot&)> plant;
    std::string named;
  };
  const std::vector<Case> cases = {
      {"unit_loop", [](FixtureRoot& r) { r.symlink("/etc/systemd/system/a.service", "/etc/systemd/system/a.service"); },
       "/etc/systemd/system/a.service"},
      {"unit_fifo", [](FixtureRoot& r) { r.fifo("/etc/systemd/system/a.service"); }, "/etc/systemd/system/a.service"},
      {"unit_dir", [](FixtureRoot& r) { r.dir("/etc/systemd/system/a.service"); }, "/etc/systemd/system/a.service"},
      {"search_dir_loop", [](FixtureRoot& r) { r.symlink("/run/systemd/system", "/run/systemd/system"); },
       "/run/systemd/system"},
      {"dropin_dir_loop",
       [](FixtureRoot& r) { r.symlink("/etc/systemd/system/a.service.d", "/etc/systemd/system/a.service.d"); },
       "/etc/systemd/system/a.service.d"},
      {"dropin_fifo", [](FixtureRoot& r) { r.fifo("/etc/systemd/system/service.d/x.conf"); },
       "/etc/systemd/system/service.d/x.conf"},
      {"dropin_dir", [](FixtureRoot& r) { r.dir("/etc/systemd/system/a.service.d/x.conf"); },
       "/etc/systemd/system/a.service.d/x.conf"},
  };
  for (const auto& c : cases) {
    FixtureRoot r(fixture_dir("resolver_unreadable_" + c.name));
    r.file("/lib/systemd/system/a.service", kUnit);
    c.plant(r);
    RootFs fs(r.path());
    std::string message;
    try {
      locate_unit(fs, "a.service");
    } catch (const std::exception& e) {
      message = e.what();
    }
    EXPECT_NE(message.find(c.named), std::string::npos) << c.name << ": " << message;
  }
  FixtureRoot big(fixture_dir("resolver_unreadable_big"));
  big.sparse("/lib/systemd/system/a.service", 64 << 20);
  RootFs fs(big.path());
  const auto unit = locate_unit(fs, "a.service");
  EXPECT_THROW(effective_setting(fs, unit, "Service", "PrivateTmp", true), FsError);
}

TEST(UnitResolver, FindUnitsByGlob) {
  FixtureRoot r(fixture_dir("resolver_glob"));
  r.file("/lib/systemd/system/php8.2-fpm.service", kUnit)
      .file("/etc/systemd/system/php7.4-fpm.service", kUnit)
      .file("/lib/systemd/system/apache2.service", kUnit);
  RootFs fs(r.path());
  EXPECT_EQ(find_units(fs, "php*-fpm.service"), (std::vector<std::string>{"php7.4-fpm.service", "php8.2-fpm.service"}));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b", "axxbc"));
}

TEST(UnitResolver, TooManyDropinsIsAnErrorNamingTheDirectory) {
  FixtureRoot r(fixture_dir("resolver_too_many_dropins"));
  r.file("/lib/systemd/system/a.service", kUnit);
  for (int i = 0; i < 4100; ++i) r.file("/etc/systemd/system/a.service.d/" + std::to_string(i) + ".conf", "");
  RootFs fs(r.path());
  try {
    locate_unit(fs, "a.service");
    ADD_FAILURE() << "expected an error";
  } catch (const CheckError& e) {
    EXPECT_EQ(e.path(), "/etc/systemd/system/a.service.d") << e.what();
  }
}

}  // namespace
}  // namespace clinic_audit::systemd
