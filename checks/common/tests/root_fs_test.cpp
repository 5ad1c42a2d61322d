// RootFs: resolution confined to the audited root, the kernel's symlink
// limit, refusal of FIFOs, the read cap, directory listings and walks.
#include "root_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fixture_root.hpp"
#include "root_fs_test_support.hpp"

namespace clinic_audit {
namespace {

using namespace root_fs_test;  // the fixture and helpers of root_fs_test_support.hpp

// Runs `fn` on a detached thread and waits at most `limit`: a regression that
// blocks (e.g. opening a FIFO) fails the test instead of hanging the suite.
// On timeout the process exits at once (the stuck thread still uses the
// test's objects, so carrying on is not safe): CTest sees a failure.
void finishes_within(std::chrono::milliseconds limit, std::function<void()> fn) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> future = done->get_future();
  std::thread([fn = std::move(fn), done] {
    fn();
    done->set_value();
  }).detach();
  if (future.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "FAILED: %s blocked for more than %lld ms\n", test_name().c_str(),
                 static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::_Exit(1);
  }
}

// --- Confinement -------------------------------------------------------------

TEST_F(RootFsTest, AbsoluteSymlinkIsReRootedAndNeverReachesTheHostFile) {
  // A sentinel outside the root, with an old atime: reading it would update
  // the atime (relatime updates it when atime <= mtime).
  FixtureRoot outside(fixture_dir("common/" + test_name() + ".outside"));
  outside.file("/secret", "HOST SECRET\n", 0644);
  const auto sentinel = outside.host("/secret");
  const struct timespec times[2] = {{1000, 0}, {0, UTIME_NOW}};
  ASSERT_EQ(::utimensat(AT_FDCWD, sentinel.c_str(), times, 0), 0);

  root_.dir("/etc").symlink("/etc/escape", sentinel.string());
  RootFs fs(root_.path());

  // Without a copy of that path inside the root, the link dangles.
  EXPECT_FALSE(fs.stat("/etc/escape").has_value());
  EXPECT_FALSE(fs.read_file_if_exists("/etc/escape").has_value());
  expect_fs_error([&] { fs.read_file("/etc/escape"); }, ENOENT, "/" + sentinel.relative_path().begin()->string());

  // With one, the link means that in-root file.
  root_.file(sentinel.string(), "in-root decoy\n", 0600);
  EXPECT_EQ(fs.read_file("/etc/escape"), "in-root decoy\n");
  EXPECT_EQ(fs.resolve("/etc/escape"), sentinel.string());
  EXPECT_EQ(fs.stat("/etc/escape")->size, 14);

  struct stat st {};
  ASSERT_EQ(::stat(sentinel.c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 1000) << "the host file outside the root was read";
}

TEST_F(RootFsTest, RelativeDotDotEscapeIsClampedAtTheRoot) {
  root_.dir("/var/www").file("/secret", "in-root secret\n");
  root_.symlink("/var/www/up", "../../../../../../../secret");
  RootFs fs(root_.path());
  EXPECT_EQ(fs.resolve("/var/www/up"), "/secret");
  EXPECT_EQ(fs.read_file("/var/www/up"), "in-root secret\n");
  // ".." in the path itself is clamped too, like "/.." on a live system.
  EXPECT_EQ(fs.resolve("/../../../secret"), "/secret");
  EXPECT_EQ(fs.resolve("/var/../../var/www/.."), "/var");
  EXPECT_EQ(fs.resolve("/.."), "/");
  EXPECT_EQ(fs.read_file("/var/www/../../../secret"), "in-root secret\n");
}

TEST_F(RootFsTest, SymlinkToRootAndDotTargets) {
  root_.dir("/etc").file("/etc/hosts", "x").symlink("/etc/root", "/").symlink("/etc/here", ".");
  RootFs fs(root_.path());
  EXPECT_EQ(fs.resolve("/etc/root"), "/");
  EXPECT_EQ(fs.resolve("/etc/root/etc/hosts"), "/etc/hosts");
  EXPECT_EQ(fs.resolve("/etc/here"), "/etc");
  EXPECT_EQ(fs.resolve("/etc/here/here/hosts"), "/etc/hosts");
  EXPECT_EQ(fs.stat("/etc/root")->type, FileType::directory);
}

TEST_F(RootFsTest, SymlinkLoopIsEloop) {
  root_.symlink("/a", "b").symlink("/b", "/a").symlink("/self", "self");
  RootFs fs(root_.path());
  const std::string message = expect_fs_error([&] { fs.resolve("/a"); }, ELOOP, "/a");
  EXPECT_NE(message.find("Too many levels of symbolic links"), std::string::npos) << message;
  expect_fs_error([&] { fs.stat("/self"); }, ELOOP, "/self");
  expect_fs_error([&] { fs.read_file("/a"); }, ELOOP, "/a");
  expect_fs_error([&] { fs.walk("/b/x"); }, ELOOP, "/b");
  // lstat does not follow the last link.
  EXPECT_EQ(fs.lstat("/self")->type, FileType::symlink);
}

TEST_F(RootFsTest, FortySymlinksResolveFortyOneAreEloopLikeTheKernel) {
  // /l0 -> l1 -> ... -> l40 -> target: 41 links from /l0, 40 from /l1.
  root_.file("/target", "end\n");
  for (int i = 0; i <= 40; ++i) {
    root_.symlink("/l" + std::to_string(i), i == 40 ? "target" : "l" + std::to_string(i + 1));
  }
  RootFs fs(root_.path());
  EXPECT_EQ(fs.read_file("/l1"), "end\n");
  EXPECT_EQ(fs.resolve("/l1"), "/target");
  expect_fs_error([&] { fs.resolve("/l0"); }, ELOOP, "/l40");

  // The kernel agrees on the same tree (relative links resolve the same on the host).
  const int ok_fd = ::open(root_.host("/l1").c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(ok_fd, 0);
  if (ok_fd >= 0) ::close(ok_fd);
  errno = 0;
  EXPECT_EQ(::open(root_.host("/l0").c_str(), O_RDONLY | O_CLOEXEC), -1);
  EXPECT_EQ(errno, ELOOP);
}

TEST_F(RootFsTest, LinksAcrossComponentsCountTowardsTheLimit) {
  // Each hop through a directory link counts, as in the kernel.
  root_.dir("/d0");
  for (int i = 1; i <= 41; ++i) root_.symlink("/d" + std::to_string(i), "d" + std::to_string(i - 1));
  root_.file("/d0/f", "f");
  RootFs fs(root_.path());
  EXPECT_EQ(fs.read_file("/d40/f"), "f");
  expect_fs_error([&] { fs.read_file("/d41/f"); }, ELOOP, "/d1");
}

// --- Reads -------------------------------------------------------------------

TEST_F(RootFsTest, FifoIsRefusedPromptlyWithAClearError) {
  root_.fifo("/run/pipe", 0666).symlink("/etc/pipe-link", "/run/pipe");
  RootFs fs(root_.path());
  auto outcome = std::make_shared<std::string>();
  auto err = std::make_shared<int>(-1);
  finishes_within(std::chrono::seconds(5), [&fs, outcome, err] {
    try {
      fs.read_file("/etc/pipe-link");
      *outcome = "read returned content";
    } catch (const FsError& e) {
      *outcome = e.what();
      *err = e.error_number();
    }
  });
  EXPECT_EQ(*outcome, "/run/pipe: is a FIFO, not a regular file");
  EXPECT_EQ(*err, 0);
  finishes_within(std::chrono::seconds(5), [&fs] { EXPECT_THROW(fs.read_file_if_exists("/run/pipe"), FsError); });
  EXPECT_EQ(fs.stat("/run/pipe")->type, FileType::fifo);
}

TEST_F(RootFsTest, DirectoryAndDeviceAreNotRead) {
  root_.dir("/etc");
  RootFs fs(root_.path());
  EXPECT_EQ(expect_fs_error([&] { fs.read_file("/etc"); }, 0, "/etc"), "/etc: is a directory, not a regular file");
  if (::mknod(root_.host("/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    GTEST_SKIP() << "mknod not permitted here";
  }
  EXPECT_EQ(expect_fs_error([&] { fs.read_file("/null"); }, 0, "/null"),
            "/null: is a character device, not a regular file");
  EXPECT_EQ(fs.stat("/null")->type, FileType::char_device);
}

TEST_F(RootFsTest, HugeSparseFileIsCappedWithItsSize) {
  root_.sparse("/var/log/huge.log", 100 * 1024 * 1024);
  RootFs fs(root_.path());
  const auto start = std::chrono::steady_clock::now();
  const std::string message = expect_fs_error([&] { fs.read_file("/var/log/huge.log"); }, 0, "/var/log/huge.log");
  EXPECT_EQ(message, "/var/log/huge.log: is 104857600 bytes, over the 4194304-byte limit for this file");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_THROW(fs.read_file_if_exists("/var/log/huge.log"), FsError);
  EXPECT_EQ(fs.stat("/var/log/huge.log")->size, 104857600);
}

TEST_F(RootFsTest, ReadCapBoundary) {
  root_.file("/ten", "0123456789").file("/empty", "");
  RootFs fs(root_.path());
  EXPECT_EQ(fs.read_file("/ten", 10), "0123456789");
  EXPECT_EQ(expect_fs_error([&] { fs.read_file("/ten", 9); }, 0, "/ten"),
            "/ten: is 10 bytes, over the 9-byte limit for this file");
  EXPECT_EQ(fs.read_file("/empty"), "");
  EXPECT_EQ(fs.read_file("/empty", 0), "");
}

TEST_F(RootFsTest, ReadFileIfExists) {
  root_.file("/etc/os-release", "ID=debian\n").symlink("/etc/dangling", "/nowhere");
  RootFs fs(root_.path());
  EXPECT_EQ(fs.read_file_if_exists("/etc/os-release"), std::optional<std::string>("ID=debian\n"));
  EXPECT_EQ(fs.read_file_if_exists("/etc/missing"), std::nullopt);
  EXPECT_EQ(fs.read_file_if_exists("/no/such/dir/file"), std::nullopt);
  EXPECT_EQ(fs.read_file_if_exists("/etc/dangling"), std::nullopt);
  // A missing file is ENOENT for read_file.
  const std::string message = expect_fs_error([&] { fs.read_file("/etc/missing"); }, ENOENT, "/etc/missing");
  EXPECT_EQ(message, "/etc/missing: cannot resolve: No such file or directory");
}

TEST_F(RootFsTest, FileUsedAsDirectoryIsEnotdir) {
  root_.file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  RootFs fs(root_.path());
  expect_fs_error([&] { fs.resolve("/etc/passwd/x"); }, ENOTDIR, "/etc/passwd");
  expect_fs_error([&] { fs.stat("/etc/passwd/x"); }, ENOTDIR, "/etc/passwd");
  expect_fs_error([&] { fs.read_file_if_exists("/etc/passwd/x"); }, ENOTDIR, "/etc/passwd");
  expect_fs_error([&] { fs.list_dir("/etc/passwd"); }, ENOTDIR, "/etc/passwd");
}

TEST_F(RootFsTest, RelativePathsAreRefused) {
  RootFs fs(root_.path());
  expect_fs_error([&] { fs.resolve("etc/passwd"); }, EINVAL, "etc/passwd");
  expect_fs_error([&] { fs.stat(""); }, EINVAL, "");
  expect_fs_error([&] { fs.read_file("./x"); }, EINVAL, "./x");
}

TEST_F(RootFsTest, MissingRootIsAnError) {
  const auto missing = root_.path() / "does-not-exist";
  try {
    RootFs fs(missing);
    ADD_FAILURE() << "opened a missing root";
  } catch (const FsError& e) {
    EXPECT_EQ(e.error_number(), ENOENT);
    EXPECT_EQ(e.path(), missing.string());
  }
}

// --- Metadata ----------------------------------------------------------------

TEST_F(RootFsTest, StatFollowsLinksLstatDoesNot) {
  root_.dir("/var/www", 0750, 33, 33).file("/var/www/index.php", "<?php\n", 0640, 33, 1000);
  root_.symlink("/srv", "/var/www");
  root_.symlink("/var/www/current", "index.php");
  RootFs fs(root_.path());

  const auto file = fs.stat("/srv/current");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->path, "/var/www/index.php");
  EXPECT_EQ(file->type, FileType::regular);
  EXPECT_EQ(file->mode, 0640u);
  EXPECT_EQ(file->uid, 33u);
  EXPECT_EQ(file->gid, 1000u);
  EXPECT_EQ(file->size, 6);
  EXPECT_EQ(file->acl_xattr, "");

  const auto link = fs.lstat("/srv/current");
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->path, "/var/www/current");
  EXPECT_EQ(link->type, FileType::symlink);
  EXPECT_EQ(link->size, 9);

  const auto dir = fs.stat("/srv");
  ASSERT_TRUE(dir.has_value());
  EXPECT_EQ(dir->path, "/var/www");
  EXPECT_EQ(dir->type, FileType::directory);
  EXPECT_EQ(dir->mode, 0750u);
  EXPECT_EQ(fs.lstat("/srv")->type, FileType::symlink);

  EXPECT_TRUE(fs.exists("/srv/current"));
  EXPECT_FALSE(fs.exists("/srv/missing"));
  EXPECT_FALSE(fs.stat("/missing/deeper").has_value());
  EXPECT_EQ(fs.resolve("/srv/current", false), "/var/www/current");
  EXPECT_EQ(fs.resolve("//srv/./current"), "/var/www/index.php");
}

TEST_F(RootFsTest, SpecialModeBitsAreKept) {
  root_.file("/usr/bin/sudo", "", 04755).dir("/tmp", 01777).dir("/srv/share", 02775, 0, 50);
  RootFs fs(root_.path());
  EXPECT_EQ(fs.stat("/usr/bin/sudo")->mode, 04755u);
  EXPECT_EQ(fs.stat("/tmp")->mode, 01777u);
  EXPECT_EQ(fs.stat("/srv/share")->mode, 02775u);
  EXPECT_EQ(fs.stat("/srv/share")->gid, 50u);
}

TEST_F(RootFsTest, RootItself) {
  RootFs fs(root_.path());
  EXPECT_FALSE(fs.is_live());
  EXPECT_EQ(fs.root(), root_.path());
  const auto info = fs.stat("/");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->path, "/");
  EXPECT_EQ(info->type, FileType::directory);
  EXPECT_EQ(info->mode, 0755u);
  EXPECT_TRUE(RootFs("/").is_live());
}

TEST_F(RootFsTest, AclAttributeIsReported) {
  root_.file("/etc/secret", "s", 0640);
  const std::string cmd = "/usr/bin/setfacl -m u:33:rw " + root_.host("/etc/secret").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  RootFs fs(root_.path());
  const auto info = fs.stat("/etc/secret");
  ASSERT_TRUE(info.has_value());
  // Header + user_obj, user:33, group_obj, mask, other: 4 + 5*8 bytes.
  EXPECT_EQ(info->acl_xattr.size(), 44u);
  std::string raw(64, '\0');
  const ssize_t n = ::getxattr(root_.host("/etc/secret").c_str(), "system.posix_acl_access", raw.data(), raw.size());
  ASSERT_EQ(n, 44);
  raw.resize(44);
  EXPECT_EQ(info->acl_xattr, raw);
}

TEST_F(RootFsTest, LargeAclAttributeIsReadWhole) {
  // tmpfs keeps ACLs of any size (ext4 without ea_inode stops near 500 entries):
  // an ACL larger than any fixed buffer must not be silently dropped, or a
  // writer hidden in it would go unreported.
  char tmpl[] = "/dev/shm/ca-acl-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) GTEST_SKIP() << "no /dev/shm";
  const std::string dir = tmpl;
  const std::string file = dir + "/big";
  { std::ofstream(file) << "x"; }
  std::string spec;
  for (int uid = 2000; uid < 2700; ++uid) spec += (spec.empty() ? "" : ",") + ("u:" + std::to_string(uid) + ":r");
  const std::string cmd = "/usr/bin/setfacl -m " + spec + " " + file + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) {
    std::filesystem::remove_all(dir);
    GTEST_SKIP() << "tmpfs without large ACLs here";
  }
  RootFs fs(dir);
  const auto info = fs.stat("/big");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->acl_xattr.size(), 4u + 8u * (700u + 4u));
}

// --- Listings ----------------------------------------------------------------

TEST_F(RootFsTest, ListDirIsSortedInByteOrderWithTypes) {
  root_.dir("/etc/conf.d");
  root_.file("/etc/conf.d/b.conf", "").file("/etc/conf.d/B.conf", "").file("/etc/conf.d/_x", "");
  root_.file("/etc/conf.d/\xc3\xa9t\xc3\xa9", "").file("/etc/conf.d/a", "");
  root_.dir("/etc/conf.d/sub").symlink("/etc/conf.d/link", "a").fifo("/etc/conf.d/pipe");
  root_.symlink("/conf", "/etc/conf.d");
  RootFs fs(root_.path());
  const auto entries = fs.list_dir("/conf");
  std::vector<std::pair<std::string, FileType>> got;
  for (const auto& e : entries) got.emplace_back(e.name, e.type);
  const std::vector<std::pair<std::string, FileType>> want{
      {"B.conf", FileType::regular}, {"_x", FileType::regular},
      {"a", FileType::regular},      {"b.conf", FileType::regular},
      {"link", FileType::symlink},   {"pipe", FileType::fifo},
      {"sub", FileType::directory},  {"\xc3\xa9t\xc3\xa9", FileType::regular}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(fs.list_dir("/etc/conf.d/sub").empty());
  expect_fs_error([&] { fs.list_dir("/etc/none"); }, ENOENT, "/etc/none");
  // The root itself can be listed.
  const auto top = fs.list_dir("/");
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].name, "conf");
  EXPECT_EQ(top[1].name, "etc");
}

TEST_F(RootFsTest, ReadLink) {
  root_.file("/etc/a", "").symlink("/etc/l", "../etc/a");
  RootFs fs(root_.path());
  EXPECT_EQ(fs.read_link("/etc/l"), "../etc/a");
  expect_fs_error([&] { fs.read_link("/etc/a"); }, EINVAL, "/etc/a");
}

// Walks: root_fs_walk_test.cpp.

TEST(FileTypeTest, Names) {
  EXPECT_EQ(to_string(FileType::regular), "regular file");
  EXPECT_EQ(to_string(FileType::directory), "directory");
  EXPECT_EQ(to_string(FileType::symlink), "symbolic link");
  EXPECT_EQ(to_string(FileType::fifo), "FIFO");
  EXPECT_EQ(to_string(FileType::socket), "socket");
  EXPECT_EQ(to_string(FileType::char_device), "character device");
  EXPECT_EQ(to_string(FileType::block_device), "block device");
  EXPECT_EQ(to_string(FileType::unknown), "unknown file type");
}

}  // namespace
}  // namespace clinic_audit
