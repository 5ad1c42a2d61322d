// The service check on fixture roots; `systemctl is-active` through a
// recorded runner (a real systemd is not PID 1 in the test sandbox).
#include "service/service_check.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "common/context.hpp"
#include "fixture_root.hpp"
#include "common/systemd/systemctl_live.hpp"
#include "fake_runner.hpp"

namespace clinic_audit {
namespace {

using testing::FixtureRoot;
using testing::fixture_dir;
using testing::source_dir;

Outcome run(const FixtureRoot& r, const std::string& unit) {
  Params p;
  p.add("unit", unit);
  auto check = service_check_type().create(p);
  RootFs fs(r.path());
  testing::RecordedRunner runner("");
  Context context(fs, runner, {});
  Outcome o = check->run(context);
  EXPECT_TRUE(runner.calls.empty());
  return o;
}

FixtureRoot from_manifest(const std::string& name) {
  FixtureRoot r(fixture_dir("service_" + name));
  r.apply_manifest(source_dir() / ("tests/fixtures/systemd_unit/service/" + name + ".manifest"));
  return r;
}

TEST(ServiceCheck, EnabledPassesAndNamesTheLink) {
  const Outcome o = run(from_manifest("enabled"), "compagnonApicrypt");
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_EQ(o.evidence.at(0).path, "/etc/systemd/system/multi-user.target.wants/compagnonApicrypt.service");
  EXPECT_NE(o.summary.find("not judged with --root"), std::string::npos);
}

TEST(ServiceCheck, DisabledFailsWithEnableCommand) {
  const Outcome o = run(from_manifest("disabled"), "compagnonApicrypt.service");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.remediation_commands, (std::vector<std::string>{"systemctl enable --now compagnonApicrypt.service"}));
  EXPECT_NE(o.evidence.at(0).observed.find("multi-user.target.wants/"), std::string::npos);
}

TEST(ServiceCheck, MaskedFailsWithUnmask) {
  const Outcome o = run(from_manifest("masked"), "compagnonApicrypt");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.remediation_commands, (std::vector<std::string>{"systemctl unmask compagnonApicrypt.service",
                                                              "systemctl enable --now compagnonApicrypt.service"}));
}

TEST(ServiceCheck, RuntimeOnlyAndMissingFail) {
  EXPECT_EQ(run(from_manifest("runtime"), "compagnonApicrypt").status, Status::fail);
  EXPECT_EQ(run(from_manifest("not_found"), "compagnonApicrypt").status, Status::fail);
}

TEST(ServiceCheck, SysvStartLinkCounts) {
  EXPECT_EQ(run(from_manifest("sysv_enabled"), "compagnonApicrypt").status, Status::pass);
  EXPECT_EQ(run(from_manifest("sysv_disabled"), "compagnonApicrypt").status, Status::fail);
}

TEST(ServiceCheck, IsActiveQuery) {
  testing::RecordedRunner runner("inactive\n", 3);
  const auto q = systemd::systemctl_is_active(runner, "compagnonApicrypt.service");
  ASSERT_TRUE(q.error.empty());
  EXPECT_EQ(q.properties.at("_stdout"), "inactive\n");
  EXPECT_EQ(runner.calls.at(0).args, (std::vector<std::string>{"is-active", "--", "compagnonApicrypt.service"}));
}

TEST(ServiceCheck, BadUnitRejected) {
  Params p;
  p.add("unit", "../etc/passwd");
  EXPECT_THROW(service_check_type().create(p), ParamError);
}

// Issue #20 item 2: each input in turn unreadable: `error` (an exception the
// pipeline turns into one) naming it, never a verdict.
TEST(ServiceCheck, UnreadableInputsAreErrorsNamingThem) {
  const std::string unit_file = "/lib/systemd/system/compagnonApicrypt.service";
  const std::string wants = "/etc/systemd/system/multi-user.target.wants";
  const std::vector<std::pair<std::string, std::function<void(FixtureRoot&)>>> cases = {
      {unit_file,
       [&](FixtureRoot& r) {
         std::filesystem::remove(r.host(unit_file));
         r.fifo(unit_file);
       }},
      {unit_file,
       [&](FixtureRoot& r) {
         std::filesystem::remove(r.host(unit_file));
         r.sparse(unit_file, 64 << 20);
       }},
      {wants,
       [&](FixtureRoot& r) {
         std::filesystem::remove_all(r.host(wants));
         r.symlink(wants, wants);
       }},
      {"/etc/systemd/system/compagnonApicrypt.service",
       [&](FixtureRoot& r) { r.dir("/etc/systemd/system/compagnonApicrypt.service"); }},
  };
  int i = 0;
  for (const auto& [named, plant] : cases) {
    FixtureRoot r(fixture_dir("service_unreadable_" + std::to_string(i++)));
    r.apply_manifest(source_dir() / "tests/fixtures/systemd_unit/service/enabled.manifest");
    plant(r);
    Params p;
    p.add("unit", "compagnonApicrypt");
    auto check = service_check_type().create(p);
    RootFs fs(r.path());
    testing::RecordedRunner runner("");
    Context context(fs, runner, {});
    try {
      const Outcome o = check->run(context);
      ADD_FAILURE() << named << ": expected an error, got " << to_string(o.status) << ": " << o.summary;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace clinic_audit
