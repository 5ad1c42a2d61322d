// Differential test against systemctl itself: for every fixture root in
// tests/fixtures/systemd_unit/service/, our enablement state must be what
// `systemctl --root=DIR is-enabled UNIT` prints (SysV scripts included,
// through Debian's systemd-sysv-install).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "service/enablement.hpp"

namespace clinic_audit::service {
namespace {

namespace fs = std::filesystem;

std::string systemctl_state(const fs::path& root, const std::string& unit) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/systemctl";
  spec.args = {"--root=" + root.string(), "is-enabled", unit};
  const CommandResult r = runner.run(spec);
  std::string state = r.out.substr(0, r.out.find('\n'));
  if (state.empty() && r.err.find("No such file or directory") != std::string::npos) return "not-found";
  return state.empty() ? "error: " + r.err : state;
}

TEST(ServiceDifferential, EnablementMatchesSystemctl) {
  ASSERT_TRUE(fs::exists("/usr/bin/systemctl")) << "install the systemd package (scripts/deps/systemd_php.list)";
  const fs::path dir = testing::source_dir() / "tests/fixtures/systemd_unit/service";
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    const std::string unit = first.substr(std::string("# unit: ").size());
    const std::string name = entry.path().stem().string();
    testing::FixtureRoot root(testing::fixture_dir("service_diff_" + name));
    root.apply_manifest(entry.path());
    RootFs rootfs(root.path());
    EXPECT_EQ(judge_enablement(rootfs, unit).state, systemctl_state(root.path(), unit)) << name;
    ++compared;
  }
  EXPECT_GE(compared, 10);
}

}  // namespace
}  // namespace clinic_audit::service
