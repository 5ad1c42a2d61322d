// Includes as sudo reads them, always inside the audited root (RootFs over a
// fixture tree with real owners and modes).
#include "sudoers/sudoers_includes.hpp"

#include <gtest/gtest.h>

#include "fixture_root.hpp"

namespace clinic_audit::sudoers {
namespace {

using testing::FixtureRoot;

std::string test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

class SudoersIncludes : public ::testing::Test {
 protected:
  SudoersIncludes() : root_(testing::fixture_dir("sudoers-inc/" + test_name())) {}
  SudoersTree load(const std::string& main = "/etc/sudoers") {
    RootFs fs(root_.path());
    return load_sudoers(fs, main, {"cabinet", 4096, true});
  }
  static std::vector<std::string> files(const SudoersTree& t) {
    std::vector<std::string> out;
    for (const auto& f : t.files) out.push_back(f.path);
    return out;
  }
  FixtureRoot root_;
};

TEST_F(SudoersIncludes, RelativeIncludeIsRelativeToTheIncludingFile) {
  root_.file("/etc/sudoers", "@include sub/a\n", 0440);
  root_.file("/etc/sub/a", "@include b\n", 0440);
  root_.file("/etc/sub/b", "alice ALL = /x\n", 0440);
  const SudoersTree t = load();
  ASSERT_FALSE(t.error) << t.error->describe();
  EXPECT_EQ(files(t), (std::vector<std::string>{"/etc/sudoers", "/etc/sub/a", "/etc/sub/b"}));
}

TEST_F(SudoersIncludes, PercentHIsTheShortHostName) {
  root_.file("/etc/sudoers", "@include /etc/sudoers.%h\n", 0440);
  root_.file("/etc/sudoers.cabinet", "", 0440);
  const SudoersTree t = load();
  ASSERT_FALSE(t.error) << t.error->describe();
  EXPECT_EQ(files(t).back(), "/etc/sudoers.cabinet");
}

TEST_F(SudoersIncludes, IncludedirSkipsDotsTildesAndNonFilesInByteOrder) {
  root_.file("/etc/sudoers", "@includedir /etc/sudoers.d\n", 0440);
  for (const char* name : {"b", "B", "a.conf", "c~", "10", "2"})
    root_.file(std::string("/etc/sudoers.d/") + name, "", 0440);
  root_.dir("/etc/sudoers.d/dir");
  const SudoersTree t = load();
  ASSERT_FALSE(t.error) << t.error->describe();
  EXPECT_EQ(files(t), (std::vector<std::string>{"/etc/sudoers", "/etc/sudoers.d/10", "/etc/sudoers.d/2",
                                                "/etc/sudoers.d/B", "/etc/sudoers.d/b"}));
  std::vector<std::string> ignored;
  for (const auto& i : t.ignored) ignored.push_back(i.path + ": " + i.reason);
  EXPECT_EQ(ignored, (std::vector<std::string>{
                         "/etc/sudoers.d/a.conf: name contains '.' or ends in '~': sudo skips it in an @includedir",
                         "/etc/sudoers.d/c~: name contains '.' or ends in '~': sudo skips it in an @includedir",
                         "/etc/sudoers.d/dir: not a regular file"}));
}

TEST_F(SudoersIncludes, MissingIncludedirIsFineMissingIncludeIsNot) {
  root_.file("/etc/sudoers", "@includedir /etc/nowhere\n", 0440);
  EXPECT_FALSE(load().error);
  root_.file("/etc/sudoers", "\n@include /etc/nothing\n", 0440);
  const SudoersTree t = load();
  ASSERT_TRUE(t.error);
  EXPECT_EQ(t.error->describe(), "/etc/sudoers:2: unable to open /etc/nothing: No such file or directory");
}

TEST_F(SudoersIncludes, InsecureFilesAndDirectoriesAreReportedAsIgnored) {
  root_.file("/etc/sudoers", "@includedir /etc/sudoers.d\n@includedir /etc/open.d\n", 0440);
  root_.file("/etc/sudoers.d/web", "www-data ALL = ALL\n", 0440, 33, 33);
  root_.file("/etc/sudoers.d/group", "", 0460, 0, 33);
  root_.file("/etc/sudoers.d/ok", "", 0460, 0, 0);
  root_.dir("/etc/open.d", 0777);
  const SudoersTree t = load();
  ASSERT_FALSE(t.error) << t.error->describe();
  EXPECT_EQ(files(t), (std::vector<std::string>{"/etc/sudoers", "/etc/sudoers.d/ok"}));
  ASSERT_EQ(t.ignored.size(), 3u);
  EXPECT_EQ(t.ignored[0].reason,
            "/etc/sudoers.d/group (owner uid 0, gid 33, mode 0460) is group writable with gid 33, sudo requires 0");
  EXPECT_EQ(t.ignored[1].reason,
            "/etc/sudoers.d/web (owner uid 33, gid 33, mode 0440) is owned by uid 33, sudo requires 0");
  EXPECT_EQ(t.ignored[2].reason,
            "/etc/open.d (owner uid 0, gid 0, mode 0777) is world writable; sudo skips the whole directory");
  EXPECT_EQ(t.ignored[2].line, 2);
}

// An insecure @include is an error sudo recovers from (the rest is used);
// an insecure main file makes sudo refuse to run.
TEST_F(SudoersIncludes, InsecureIncludeFileIsRecoveredMainFileIsFatal) {
  root_.file("/etc/sudoers", "@include /etc/web\nroot ALL=(ALL) ALL\n", 0440);
  root_.file("/etc/web", "", 0440, 33, 0);
  const SudoersTree first = load();
  ASSERT_TRUE(first.error);
  EXPECT_FALSE(first.fatal);
  EXPECT_EQ(first.error->describe(),
            "/etc/sudoers:1: /etc/web (owner uid 33, gid 0, mode 0440) is owned by uid 33, sudo requires 0");
  EXPECT_EQ(first.order.size(), 1u);
  root_.file("/etc/sudoers", "", 0666);
  const SudoersTree t = load();
  ASSERT_TRUE(t.fatal);
  EXPECT_EQ(t.fatal->describe(), "/etc/sudoers: /etc/sudoers (owner uid 0, gid 0, mode 0666) is world writable");
}

TEST_F(SudoersIncludes, IncludeLoopStopsLikeSudo) {
  root_.file("/etc/sudoers", "@include other\n", 0440);
  root_.file("/etc/other", "\n@include sudoers\n", 0440);
  const SudoersTree t = load();
  ASSERT_TRUE(t.error);
  EXPECT_FALSE(t.fatal);
  EXPECT_EQ(t.error->message, "/etc/sudoers: too many levels of includes");
  EXPECT_EQ(t.error->line, 2);
}

TEST_F(SudoersIncludes, UnreadableFileIsUnevaluableNeverAbsent) {
  root_.file("/etc/sudoers", "@includedir /etc/sudoers.d\n", 0440);
  root_.dir("/etc/sudoers.d", 0755);
  root_.file("/etc/sudoers.d/a", "www-data ALL=(ALL) NOPASSWD: ALL\n", 0440);
  root_.dir("/etc/sudoers.d/b", 0755);
  root_.file("/etc/sudoers.d/b/x", "", 0440);
  // A regular file the auditor cannot read stands for a file on NFS with
  // root_squash: an unreadable file is not a file sudo skips.
  root_.symlink("/etc/sudoers.d/c", "/etc/sudoers.d/b/x/y");
  const SudoersTree t = load();
  ASSERT_FALSE(t.unevaluable.empty());
  EXPECT_EQ(t.unevaluable[0].file, "/etc/sudoers.d/c");
}

TEST_F(SudoersIncludes, ManyFilesAreAllReadAndOverTheCapUnevaluable) {
  root_.file("/etc/sudoers", "@includedir /etc/sudoers.d\n", 0440);
  root_.dir("/etc/sudoers.d", 0755);
  for (int i = 0; i < 5000; ++i) root_.file("/etc/sudoers.d/f" + std::to_string(i), "", 0440);
  for (int i = 0; i < 200; ++i) root_.file("/etc/sudoers.d/s." + std::to_string(i), "", 0440);
  RootFs fs(root_.path());
  const SudoersTree t = load_sudoers(fs, "/etc/sudoers", LoadOptions{"cabinet"});
  EXPECT_TRUE(t.unevaluable.empty());
  EXPECT_EQ(t.files.size(), 5001u);  // sudo has no limit on the number of files
  EXPECT_EQ(t.ignored.size(), kMaxIgnoredKept);
  EXPECT_EQ(t.ignored.size() + t.ignored_omitted, 200u);
  LoadOptions small{"cabinet", 4096, true};
  const SudoersTree capped = load_sudoers(fs, "/etc/sudoers", small);
  ASSERT_EQ(capped.unevaluable.size(), 1u);
  EXPECT_NE(capped.unevaluable[0].message.find("more than 4096 sudoers files"), std::string::npos);
  small.max_files = 1000000;
  small.max_total_bytes = 10;
  root_.file("/etc/sudoers.d/f1", "www-data ALL=(ALL) NOPASSWD: ALL\n", 0440);
  const SudoersTree big = load_sudoers(fs, "/etc/sudoers", small);
  ASSERT_EQ(big.unevaluable.size(), 1u);
  EXPECT_NE(big.unevaluable[0].message.find("over the auditor's limit"), std::string::npos);
}

TEST_F(SudoersIncludes, DiamondExplosionIsBounded) {
  // Each file includes the next twice: 2^40 reads for a naive reader.
  for (int i = 0; i < 40; ++i) {
    root_.file("/etc/s" + std::to_string(i),
               "@include s" + std::to_string(i + 1) + "\n@include s" + std::to_string(i + 1) + "\n", 0440);
  }
  root_.file("/etc/s40", "", 0440);
  const SudoersTree t = load("/etc/s0");
  ASSERT_FALSE(t.unevaluable.empty());
  EXPECT_NE(t.unevaluable[0].message.find("more than 4096 sudoers files"), std::string::npos);
}

TEST_F(SudoersIncludes, AbsoluteIncludesAndSymlinksStayInsideTheRoot) {
  root_.file("/etc/sudoers", "@include /etc/link\n", 0440);
  root_.symlink("/etc/link", "/../../../../etc/target");
  root_.file("/etc/target", "alice ALL = /inside\n", 0440);
  const SudoersTree t = load();
  ASSERT_FALSE(t.error) << t.error->describe();
  EXPECT_EQ(t.user_specs.back().privileges[0].commands[0].command.command(), "/inside");
}

}  // namespace
}  // namespace clinic_audit::sudoers
