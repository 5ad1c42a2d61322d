// --root confinement (issue #2 item 5): nothing outside the audited root is
// ever read, whatever its symlinks say.
#include <gtest/gtest.h>

#include <fstream>

#include "common/root_fs.hpp"
#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

class Confinement : public ::testing::Test {
 protected:
  void SetUp() override {
    CA_REQUIRE_ROOT();  // the sentinel belongs to www-data
    base_ = fixture_dir("confinement");
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
    // The sentinel sits beside the root, owned by a non-root user: if the
    // agent ever followed the symlink out of the root, the owner check
    // would report www-data.
    sentinel_ = base_ / "sentinel";
    std::ofstream(sentinel_) << "SENTINEL: must never be read\n";
    std::filesystem::permissions(sentinel_, std::filesystem::perms::owner_read);
    ASSERT_EQ(::chown(sentinel_.c_str(), 33, 33), 0);
    root_ = std::make_unique<FixtureRoot>(base_ / "root");
    root_->debian_accounts();
  }
  std::filesystem::path base_, sentinel_;
  std::unique_ptr<FixtureRoot> root_;
};

TEST_F(Confinement, AbsoluteSymlinkToSentinelIsReRootedAndNotRead) {
  root_->symlink("/etc/sudoers", sentinel_.string());
  RootFs fs(root_->path());
  try {
    (void)fs.read_file("/etc/sudoers");
    FAIL() << "read the sentinel through an absolute symlink";
  } catch (const FsError& e) {
    EXPECT_EQ(e.error_number(), ENOENT);
    // The missing component is reported as a path inside the root, a prefix
    // of the sentinel's path re-rooted there.
    EXPECT_EQ(sentinel_.string().rfind(e.path(), 0), 0u) << e.path();
  }
  const AgentRun run =
      run_agent({"run", "--root", root_->path().string(), "--policy", fixture("policies/passwd-file.xml"), "--only",
                 "test.sudoers", "--offline", "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.out.find("SENTINEL"), std::string::npos);
  const auto r = result_of(parse_report(run.out), "test.sudoers");
  EXPECT_EQ(r["status"], "fail");
  EXPECT_EQ(r["summary"], "/etc/sudoers does not exist");
}

TEST_F(Confinement, RelativeDotDotSymlinkCannotClimbOut) {
  // ../../../../sentinel from /etc stops at the root: it names /sentinel inside it.
  root_->symlink("/etc/sudoers", "../../../../../../sentinel");
  RootFs fs(root_->path());
  EXPECT_EQ(fs.stat("/etc/sudoers"), std::nullopt);
  root_->file("/sentinel", "inside the root\n", 0440, 0, 0);
  EXPECT_EQ(fs.read_file("/etc/sudoers"), "inside the root\n");
  EXPECT_EQ(fs.resolve("/etc/sudoers"), "/sentinel");
  const AgentRun run =
      run_agent({"run", "--root", root_->path().string(), "--policy", fixture("policies/passwd-file.xml"), "--only",
                 "test.sudoers", "--offline", "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err << run.out;
  const auto r = result_of(parse_report(run.out), "test.sudoers");
  EXPECT_EQ(r["status"], "pass");
  EXPECT_EQ(r["evidence"][0]["path"], "/sentinel");
}

TEST_F(Confinement, AccountsComeFromTheAuditedRootNotTheHost) {
  // In this root, uid 0 is named "boss": owner names are the root's own.
  root_->file("/etc/passwd", "boss:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\n");
  root_->file("/etc/sudoers", "", 0440, 0, 0);
  const AgentRun run =
      run_agent({"run", "--root", root_->path().string(), "--policy", fixture("policies/passwd-file.xml"), "--only",
                 "test.sudoers", "--offline", "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto r = result_of(parse_report(run.out), "test.sudoers");
  EXPECT_EQ(r["evidence"][0]["observed"], "owner=boss group=root mode=0440 type=regular file");
}

}  // namespace
}  // namespace clinic_audit::testing
