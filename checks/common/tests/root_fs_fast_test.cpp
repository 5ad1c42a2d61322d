// RootFs's one-call resolution (openat2 RESOLVE_IN_ROOT, issue #19 item 5)
// against the component walk it shortcuts: on a tree holding every kind of
// object and path -- plain, through relative and absolute symlinks, chains,
// loops, dangling links, "..", trailing slashes, a file used as a directory,
// a FIFO, long names, an ACL -- every RootFs operation gives the same
// answer, or the same FsError (errno, path, message), both ways.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "root_fs.hpp"
#include "root_fs_test_support.hpp"

namespace clinic_audit {
namespace {

using namespace root_fs_test;  // the fixture and helpers of root_fs_test_support.hpp

std::string describe(const std::optional<FileInfo>& info) {
  if (!info) return "absent";
  std::ostringstream out;
  out << info->path << " " << to_string(info->type) << " " << std::oct << info->mode << std::dec << " " << info->uid
      << ":" << info->gid << " " << info->size << " acl=" << info->acl_xattr.size();
  return out.str();
}

// What an operation gave: its answer, or the FsError it threw.
std::string outcome_of(const std::function<std::string()>& operation) {
  try {
    return "ok: " + operation();
  } catch (const FsError& e) {
    return "FsError errno=" + std::to_string(e.error_number()) + " path=" + e.path() + " what=" + e.what();
  }
}

std::vector<std::string> every_answer(const RootFs& fs, const std::string& path) {
  std::vector<std::string> out;
  out.push_back("stat " + outcome_of([&] { return describe(fs.stat(path)); }));
  out.push_back("lstat " + outcome_of([&] { return describe(fs.lstat(path)); }));
  out.push_back("resolve " + outcome_of([&] { return fs.resolve(path); }));
  out.push_back("resolve-nofollow " + outcome_of([&] { return fs.resolve(path, false); }));
  out.push_back("read " + outcome_of([&] { return fs.read_file(path, 64); }));
  out.push_back("read-if-exists " + outcome_of([&] { return fs.read_file_if_exists(path, 64).value_or("<none>"); }));
  out.push_back("chunks " + outcome_of([&] {
                  std::string all;
                  fs.read_file_chunks(path, 64, [&](const char* data, std::size_t size) { all.append(data, size); });
                  return all;
                }));
  out.push_back("list " + outcome_of([&] {
                  std::string names;
                  for (const auto& entry : fs.list_dir(path))
                    names += entry.name + "(" + to_string(entry.type).data() + ") ";
                  return names;
                }));
  out.push_back("read_link " + outcome_of([&] { return fs.read_link(path); }));
  return out;
}

TEST_F(RootFsTest, OneCallResolutionAnswersAsTheComponentWalk) {
  root_.dir("/etc/app", 0750, 0, 33).file("/etc/app/app.conf", "key = value\n", 0640, 0, 33);
  root_.file("/etc/app/big.conf", std::string(100, 'x'));
  root_.dir("/usr/lib/app").file("/usr/lib/app/lib.so", "ELF");
  root_.symlink("/lib", "usr/lib");                      // merged /usr, relative
  root_.symlink("/etc/app/abs", "/usr/lib/app/lib.so");  // absolute: re-rooted
  root_.symlink("/etc/app/chain", "abs");
  root_.symlink("/etc/app/dangling", "/nowhere/file");
  root_.symlink("/etc/app/loop1", "loop2").symlink("/etc/app/loop2", "loop1");
  root_.symlink("/etc/app/escape", "../../../../../etc/app/app.conf");
  root_.symlink("/etc/app/dirlink", "/usr/lib/app");
  root_.symlink("/etc/app/up", "../../usr/lib");  // ".." inside a target
  root_.symlink("/etc/app/rooted", "/");
  root_.symlink("/etc/app/to-fifo", "fifo").symlink("/etc/app/to-dangling", "dangling");
  root_.fifo("/etc/app/fifo");
  root_.dir("/srv/" + std::string(200, 'd')).file("/srv/" + std::string(200, 'd') + "/" + std::string(255, 'f'), "long");
  root_.dir("/acl").file("/acl/with-acl", "acl\n");
  // An ACL naming user 1234 (acl(5)), when setfacl and the file system allow.
  (void)std::system(("setfacl -m u:1234:r " + root_.host("/acl/with-acl").string() + " 2>/dev/null").c_str());

  const std::vector<std::string> paths{
      "/",
      "/etc",
      "/etc/app",
      "/etc/app/app.conf",
      "/etc/app/big.conf",
      "/etc/app/missing.conf",
      "/etc/missing/app.conf",
      "/etc/app/app.conf/below",  // a file used as a directory
      "/lib/app/lib.so",          // through a relative symlink
      "/lib",
      "/etc/app/abs",
      "/etc/app/chain",
      "/etc/app/dangling",
      "/etc/app/loop1",
      "/etc/app/escape",
      "/etc/app/dirlink",
      "/etc/app/dirlink/lib.so",
      "/etc/app/up/app/lib.so",
      "/etc/app/up/app",
      "/etc/app/up/missing",
      "/etc/app/rooted",
      "/etc/app/rooted/etc/app/app.conf",
      "/etc/app/to-fifo",
      "/etc/app/to-dangling",
      "/etc/app/loop1/below",
      "/lib/app/missing.so",
      "/lib/app/lib.so/below",
      "/etc/app/fifo",
      "/etc/app/",
      "/etc/app/.",
      "/etc/app/..",
      "/etc/../etc/app/app.conf",
      "/../../etc/app/app.conf",
      "//etc//app//app.conf",
      "/etc/./app/app.conf",
      "/srv/" + std::string(200, 'd') + "/" + std::string(255, 'f'),
      "/srv/" + std::string(256, 'n'),  // a name over NAME_MAX
      "/acl/with-acl",
      std::string("/etc/app/app.conf\0hidden", 24),
      "relative/path",
  };
  // The root named directly and through a symlink (the kernel shows the
  // resolved path in /proc/self/fd).
  const std::string via_link = root_.path().string() + ".link";
  std::filesystem::remove(via_link);
  std::filesystem::create_directory_symlink(root_.path(), via_link);
  const RootFs walk(root_.path(), RootFs::Resolution::component_walk);
  for (const auto& root : {root_.path().string(), via_link}) {
    const RootFs fast(root, RootFs::Resolution::fast);
    for (const auto& path : paths) {
      const auto want = every_answer(walk, path);
      const auto got = every_answer(fast, path);
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "root " << root << " path " << path;
    }
  }
  std::filesystem::remove(via_link);
  // The control: the comparison sees what the walk sees.
  EXPECT_EQ(every_answer(walk, "/etc/app/app.conf")[4], "read ok: key = value\n");
  EXPECT_EQ(every_answer(walk, "/lib/app/lib.so")[0].rfind("stat ok: /usr/lib/app/lib.so regular file", 0), 0U);
}

TEST_F(RootFsTest, OneCallResolutionNeverLeavesTheRoot) {
  // Outside the root, a file the fixture must never reach; inside, a link to
  // its host path (re-rooted: absent) and a plain path of the same name.
  const std::string outside = root_.path().string() + ".outside-secret";
  std::ofstream(outside) << "secret\n";
  root_.dir("/etc").symlink("/etc/out", outside);
  const RootFs fast(root_.path(), RootFs::Resolution::fast);
  EXPECT_FALSE(fast.stat("/etc/out").has_value());
  EXPECT_FALSE(fast.stat(outside).has_value());
  EXPECT_FALSE(fast.read_file_if_exists(outside).has_value());
  EXPECT_FALSE(fast.stat("/../" + root_.path().filename().string() + ".outside-secret").has_value());
  std::filesystem::remove(outside);
}

}  // namespace
}  // namespace clinic_audit
