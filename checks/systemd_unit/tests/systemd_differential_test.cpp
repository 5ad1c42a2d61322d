// Differential test against systemd itself: for every fixture root in
// tests/fixtures/systemd_unit/*.manifest, our PrivateTmp verdict must equal
// `systemd-analyze security --offline=yes --root=DIR UNIT`'s (systemd 252,
// installed by the test setup from scripts/deps/systemd_php.list).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/context.hpp"
#include "fake_runner.hpp"
#include "fixture_root.hpp"
#include "systemd_unit/systemd_unit_check.hpp"

namespace clinic_audit {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRoot;

struct Case {
  std::string name;
  fs::path manifest;
  std::string unit;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  const fs::path dir = testing::source_dir() / "tests/fixtures/systemd_unit";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".manifest") continue;
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    const std::string marker = "# unit: ";
    if (first.rfind(marker, 0) != 0) ADD_FAILURE() << entry.path() << ": first line must be '# unit: NAME'";
    out.push_back({entry.path().stem().string(), entry.path(), first.substr(marker.size())});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

// systemd's verdict: "true"/"false" for PrivateTmp, "masked", "not-found",
// "load-failure" (the unit file has a fatal line), or the error.
std::string systemd_verdict(const fs::path& root, const std::string& unit) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/systemd-analyze";
  spec.args = {"security", "--offline=yes", "--root=" + root.string(), "--json=short", "--no-pager", unit};
  spec.max_output = 1 << 20;
  const CommandResult r = runner.run(spec);
  if (r.err.find("is masked") != std::string::npos) return "masked";
  if (r.err.find("Unit " + unit + " not found") != std::string::npos) return "not-found";
  if (r.err.find("has a bad unit file setting") != std::string::npos ||
      r.err.find("failed to load properly") != std::string::npos) {
    return "load-failure";
  }
  if (r.exit_code != 0) return "error: " + r.err;
  const auto field = r.out.find("\"json_field\":\"PrivateTmp\"");
  if (field == std::string::npos) return "error: no PrivateTmp in " + r.out.substr(0, 200);
  const auto open = r.out.rfind('{', field);
  const std::string object = r.out.substr(open, field - open);
  if (object.find("\"set\":true") != std::string::npos) return "true";
  if (object.find("\"set\":false") != std::string::npos) return "false";
  return "error: unexpected " + object;
}

std::string our_verdict(const fs::path& root, const std::string& unit) {
  Params p;
  p.add("unit", unit);
  p.add("key", "PrivateTmp");
  p.add("expected", "false");
  auto check = systemd_unit_check_type().create(p);
  RootFs rootfs(root);
  testing::RecordedRunner runner("");
  Context context(rootfs, runner, {});
  const Outcome o = check->run(context);
  switch (o.status) {
    case Status::pass: return "false";
    case Status::fail: return o.summary.find(" fails to load: ") != std::string::npos ? "load-failure" : "true";
    case Status::not_applicable:
      if (o.summary.find(" is not found: ") != std::string::npos) return "not-found";
      return o.summary.find("masked") != std::string::npos ? "masked" : "not_applicable: " + o.summary;
    default: return "status " + std::string(to_string(o.status)) + ": " + o.summary;
  }
}

TEST(SystemdDifferential, PrivateTmpMatchesSystemdAnalyze) {
  ASSERT_TRUE(fs::exists("/usr/bin/systemd-analyze")) << "install the systemd package (scripts/deps/systemd_php.list)";
  const auto all = cases();
  ASSERT_GE(all.size(), 15u);
  int agreed = 0;
  std::map<std::string, int> seen;
  for (const auto& c : all) {
    FixtureRoot root(testing::fixture_dir("systemd_diff_" + c.name));
    root.apply_manifest(c.manifest);
    const std::string theirs = systemd_verdict(root.path(), c.unit);
    const std::string ours = our_verdict(root.path(), c.unit);
    EXPECT_EQ(theirs.rfind("error", 0), std::string::npos) << c.name << ": systemd-analyze could not judge: " << theirs;
    EXPECT_EQ(ours, theirs) << c.name << " (" << c.unit << ")";
    if (ours == theirs) ++agreed;
    ++seen[theirs];
  }
  EXPECT_EQ(agreed, static_cast<int>(all.size()));
  // Every verdict must occur, or the fixtures prove little.
  EXPECT_GT(seen["true"], 0);
  EXPECT_GT(seen["false"], 0);
  EXPECT_GT(seen["masked"], 0);
  EXPECT_GT(seen["not-found"], 0);
  EXPECT_GE(seen["load-failure"], 2);
}

}  // namespace
}  // namespace clinic_audit
