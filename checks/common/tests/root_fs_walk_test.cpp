// RootFs walks: every directory crossed and every symlink hop, host paths,
// and resolution compared with the kernel's on relative trees.
#include "root_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "root_fs_test_support.hpp"

namespace clinic_audit {
namespace {

using namespace root_fs_test;  // the fixture and helpers of root_fs_test_support.hpp

struct Step {
  std::string path;
  FileType type;
  bool hop;
  bool operator==(const Step&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Step& s) {
  return out << "{" << s.path << " " << to_string(s.type) << (s.hop ? " hop" : "") << "}";
}
std::vector<Step> steps_of(const std::vector<PathStep>& steps) {
  std::vector<Step> out;
  for (const auto& s : steps) out.push_back({s.info.path, s.info.type, s.is_symlink_hop});
  return out;
}

TEST_F(RootFsTest, WalkReturnsEveryDirectoryCrossedAndSymlinkHops) {
  root_.dir("/opt/app/releases/v2", 0755, 33, 33).file("/opt/app/releases/v2/run", "#!/bin/sh\n", 0755);
  root_.symlink("/opt/app/current", "releases/v2");
  root_.dir("/usr/local/bin").symlink("/usr/local/bin/app", "/opt/app/current/run");
  RootFs fs(root_.path());
  const auto steps = fs.walk("/usr/local/bin/app");
  const std::vector<Step> want{
      {"/", FileType::directory, false},
      {"/usr", FileType::directory, false},
      {"/usr/local", FileType::directory, false},
      {"/usr/local/bin", FileType::directory, false},
      {"/usr/local/bin/app", FileType::symlink, true},
      {"/opt", FileType::directory, false},
      {"/opt/app", FileType::directory, false},
      {"/opt/app/current", FileType::symlink, true},
      {"/opt/app/releases", FileType::directory, false},
      {"/opt/app/releases/v2", FileType::directory, false},
      {"/opt/app/releases/v2/run", FileType::regular, false},
  };
  EXPECT_EQ(steps_of(steps), want);
  ASSERT_EQ(steps.size(), want.size());
  EXPECT_EQ(steps[9].info.uid, 33u);
  EXPECT_EQ(steps[10].info.mode, 0755u);

  // A directory path ends with the directory itself; the root alone is one step.
  EXPECT_EQ(steps_of(fs.walk("/opt/app/")), (std::vector<Step>{{"/", FileType::directory, false},
                                                               {"/opt", FileType::directory, false},
                                                               {"/opt/app", FileType::directory, false}}));
  EXPECT_EQ(steps_of(fs.walk("/")), (std::vector<Step>{{"/", FileType::directory, false}}));
  expect_fs_error([&] { fs.walk("/opt/missing/x"); }, ENOENT, "/opt/missing");
}

TEST_F(RootFsTest, WalkThroughDotDotIncludesTheDirectoryLeft) {
  // The kernel needs search permission on /a/b to look up "/a/b/..": it is crossed.
  root_.dir("/a/b").file("/a/f", "");
  RootFs fs(root_.path());
  EXPECT_EQ(steps_of(fs.walk("/a/b/../f")), (std::vector<Step>{{"/", FileType::directory, false},
                                                               {"/a", FileType::directory, false},
                                                               {"/a/b", FileType::directory, false},
                                                               {"/a/f", FileType::regular, false}}));
}

TEST_F(RootFsTest, HostPath) {
  root_.file("/etc/php/8.2/apache2/php.ini", "").symlink("/etc/php.ini", "/etc/php/8.2/apache2/php.ini");
  RootFs fs(root_.path());
  EXPECT_EQ(fs.host_path(fs.resolve("/etc/php.ini")), root_.path() / "etc/php/8.2/apache2/php.ini");
  EXPECT_EQ(fs.host_path("/"), root_.path());
  EXPECT_EQ(fs.host_path("/etc"), root_.path() / "etc");
  EXPECT_EQ(RootFs("/").host_path("/etc/passwd"), std::filesystem::path("/etc/passwd"));
}

// Differential: on a tree whose links are all relative and never climb
// above the root, the host kernel resolves host paths exactly as RootFs
// must resolve in-root paths. Compare existence, errno, canonical path and type.
TEST_F(RootFsTest, ResolutionAgreesWithTheKernelOnRelativeTrees) {
  root_.dir("/etc/conf.d").file("/etc/conf.d/a.conf", "a").file("/etc/hosts", "h");
  root_.dir("/var/lib/app/data").file("/var/lib/app/data/f", "f");
  root_.symlink("/etc/d", "conf.d").symlink("/etc/d-slash", "conf.d/").symlink("/etc/f-slash", "hosts/");
  root_.symlink("/etc/dot", "conf.d/.").symlink("/etc/h", "hosts").symlink("/etc/dangling", "nope");
  root_.symlink("/etc/chain", "d").symlink("/etc/up", "../var/lib/app").symlink("/var/lib/app/back", "../../../etc/h");
  root_.symlink("/etc/loop", "loop");
  const std::vector<std::string> paths{"/etc",
                                       "/etc/",
                                       "/etc/.",
                                       "/etc/..",
                                       "/etc/hosts",
                                       "/etc/hosts/",
                                       "/etc/hosts/.",
                                       "/etc/hosts/..",
                                       "/etc/d",
                                       "/etc/d/",
                                       "/etc/d/a.conf",
                                       "/etc/d/a.conf/",
                                       "/etc/d-slash",
                                       "/etc/d-slash/a.conf",
                                       "/etc/f-slash",
                                       "/etc/f-slash/",
                                       "/etc/dot",
                                       "/etc/dot/a.conf",
                                       "/etc/h",
                                       "/etc/h/",
                                       "/etc/dangling",
                                       "/etc/dangling/",
                                       "/etc/chain/a.conf",
                                       "/etc/chain/../hosts",
                                       "/etc/up/data/f",
                                       "/etc/up/back",
                                       "/etc/up/../app/data/",
                                       "/etc/loop",
                                       "/etc/loop/",
                                       "/var//lib///app/./data/f",
                                       "/etc/missing/x",
                                       "/etc/hosts/x",
                                       "/etc/d/../d/./a.conf"};
  RootFs fs(root_.path());
  const std::string prefix = root_.path().string();
  for (const auto& path : paths) {
    // The kernel.
    const std::string host = prefix + path;
    struct stat st {};
    std::string kernel;
    if (::stat(host.c_str(), &st) != 0) {
      kernel = "errno " + std::to_string(errno);
    } else {
      char real[PATH_MAX];
      ASSERT_NE(::realpath(host.c_str(), real), nullptr) << host;
      std::string canonical = std::string(real).substr(prefix.size());
      if (canonical.empty()) canonical = "/";
      kernel = canonical + " " + std::string(to_string(S_ISDIR(st.st_mode) ? FileType::directory : FileType::regular));
    }
    // Ours.
    std::string ours;
    try {
      const auto info = fs.stat(path);
      ours = info ? info->path + " " + std::string(to_string(info->type)) : "errno " + std::to_string(ENOENT);
    } catch (const FsError& e) {
      ours = "errno " + std::to_string(e.error_number());
    }
    EXPECT_EQ(ours, kernel) << path;
  }
}

}  // namespace
}  // namespace clinic_audit
