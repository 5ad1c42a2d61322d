// The live decision from recorded `systemctl show` output (a real systemd is
// not PID 1 in the test sandbox, so this path is exercised through a fake).
#include "common/systemd/systemctl_live.hpp"

#include <gtest/gtest.h>

#include "fake_runner.hpp"

namespace clinic_audit::systemd {
namespace {

TEST(SystemctlLive, ParsesShowOutput) {
  const auto p = parse_systemctl_show(
      "PrivateTmp=yes\nNeedDaemonReload=no\nFragmentPath=/etc/systemd/system/apache2.service\nDropInPaths=\n");
  EXPECT_EQ(p.at("PrivateTmp"), "yes");
  EXPECT_EQ(p.at("FragmentPath"), "/etc/systemd/system/apache2.service");
  EXPECT_EQ(p.at("DropInPaths"), "");
}

TEST(SystemctlLive, RunningUnitStillPrivateIsStale) {
  const auto v = judge_live_boolean(parse_systemctl_show("PrivateTmp=yes\nNeedDaemonReload=no\n"), "PrivateTmp", false);
  EXPECT_TRUE(v.stale);
  EXPECT_NE(v.observed.find("PrivateTmp=yes"), std::string::npos);
}

TEST(SystemctlLive, NeedDaemonReloadIsStale) {
  EXPECT_TRUE(
      judge_live_boolean(parse_systemctl_show("PrivateTmp=no\nNeedDaemonReload=yes\n"), "PrivateTmp", false).stale);
}

TEST(SystemctlLive, MatchingUnitIsNotStale) {
  EXPECT_FALSE(
      judge_live_boolean(parse_systemctl_show("PrivateTmp=no\nNeedDaemonReload=no\n"), "PrivateTmp", false).stale);
}

TEST(SystemctlLive, ShowRunsAbsoluteSystemctlWithProperties) {
  testing::RecordedRunner runner("PrivateTmp=no\nNeedDaemonReload=no\n");
  const auto q = systemctl_show(runner, "apache2.service", {"PrivateTmp", "NeedDaemonReload"});
  ASSERT_TRUE(q.error.empty());
  ASSERT_EQ(runner.calls.size(), 1u);
  EXPECT_EQ(runner.calls[0].program, "/usr/bin/systemctl");
  EXPECT_EQ(runner.calls[0].args,
            (std::vector<std::string>{"show", "-p", "PrivateTmp,NeedDaemonReload", "--", "apache2.service"}));
  EXPECT_EQ(q.properties.at("PrivateTmp"), "no");
}

TEST(SystemctlLive, FailureIsReported) {
  testing::RecordedRunner runner("", 1);
  EXPECT_FALSE(systemctl_show(runner, "apache2.service", {"PrivateTmp"}).error.empty());
}

}  // namespace
}  // namespace clinic_audit::systemd
