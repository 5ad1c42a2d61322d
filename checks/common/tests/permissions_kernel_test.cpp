// The permission model (may_access, check_access, non_root_writers) judged
// against the kernel itself: the same files, real owners, modes and POSIX
// ACLs (setfacl), and a process switched to each identity (setpriv) asking
// the kernel (test -r/-w/-x, mkdir) -- our answer must be the kernel's.
#include "permissions_test_support.hpp"

#include <gtest/gtest.h>

namespace clinic_audit {
namespace {

using namespace permissions_test;  // the helpers and fixture of permissions_test_support.hpp

const std::vector<mode_t> kModes{0000, 0001, 0002, 0004, 0007, 0010, 0020, 0040, 0070,  0100, 0200, 0400,
                                 0700, 0640, 0604, 0460, 0046, 0606, 0066, 0660, 0644,  0755, 0750, 0705,
                                 0075, 0777, 0111, 0333, 0541, 0017, 0170, 0701, 01777, 0723};
const std::vector<std::pair<uid_t, gid_t>> kOwners{{0, 0}, {33, 33}, {1000, 1000}, {1001, 4}, {0, 50}, {0, 27}};

// ACLs as setfacl --set specs (acl(5)), including the cases where the kernel
// departs from the textbook algorithm (a mask of --- disables the ACL).
const std::vector<std::string> kAcls{
    "u::rw,u:33:rw,g::r,m::rw,o::-",        "u::rw,u:33:rw,g::r,m::r,o::-",
    "u::rw,u:33:rw,g::r,m::-,o::r",         "u::rw,u:1001:rw,g::rw,m::-,o::-",
    "u::-,u:33:rwx,g::-,m::rwx,o::rwx",     "u::r,g::r,g:27:rw,m::rw,o::-",
    "u::r,g::rw,g:27:r,m::rw,o::-",         "u::r,g::r,g:33:r,g:27:w,m::rwx,o::rw",
    "u::rwx,g::-,g:50:rx,m::rx,o::x",       "u::rwx,g::x,g:33:w,m::rwx,o::-",
    "u::rwx,u:1000:-,g::rwx,m::rwx,o::rwx", "u::rwx,g::-,g:0:rwx,m::rwx,o::-",
    "u::rw,g::-,u:65534:w,m::w,o::r",       "u::rwx,g::rwx,m::-,o::rwx",
};

struct Object {
  std::string path;  // in-root
  std::string what;  // for messages
};

// Builds every combination under /m (files) and /d (directories, with an
// entry so that a directory's own creation rights are what is probed).
std::vector<Object> build_matrix(FixtureRoot& root) {
  std::vector<Object> out;
  root.dir("/m").dir("/d");
  int n = 0;
  for (const auto& [uid, gid] : kOwners) {
    for (mode_t mode : kModes) {
      const std::string f = "/m/f" + std::to_string(n);
      const std::string d = "/d/d" + std::to_string(n++);
      root.file(f, "x", mode, uid, gid);
      root.dir(d, mode, uid, gid);
      const std::string what =
          " owner " + std::to_string(uid) + ":" + std::to_string(gid) + " mode " + octal_mode(mode);
      out.push_back({f, "file" + what});
      out.push_back({d, "dir" + what});
    }
    for (const auto& acl : kAcls) {
      const std::string f = "/m/f" + std::to_string(n);
      const std::string d = "/d/d" + std::to_string(n++);
      root.file(f, "x", 0600, uid, gid);
      root.dir(d, 0700, uid, gid);
      setfacl(root.host(f), acl);
      setfacl(root.host(d), acl);
      const std::string what = " owner " + std::to_string(uid) + ":" + std::to_string(gid) + " acl " + acl;
      out.push_back({f, "file" + what});
      out.push_back({d, "dir" + what});
    }
  }
  return out;
}

TEST_F(PermissionsTest, MayAccessAgreesWithTheKernel) {
  const auto objects = build_matrix(root_);
  RootFs fs(root_.path());
  int compared = 0;
  std::vector<std::filesystem::path> paths;
  for (const auto& o : objects) paths.push_back(root_.host(o.path));
  for (const Identity& who : everyone()) {
    const auto kernel = kernel_rwx(who, paths);
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const auto st = fs.stat(objects[i].path);
      ASSERT_TRUE(st.has_value());
      for (unsigned b = 0; b < 3; ++b) {
        const unsigned bits = b == 0 ? kRead : b == 1 ? kWrite : kExecute;
        EXPECT_EQ(may_access(*st, who, bits), kernel[i][b]) << who.name << " "
                                                            << "rwx"[b] << " on " << objects[i].what;
        ++compared;
      }
    }
    // A few of the same answers from test(1), in case find's view ever differed.
    std::vector<Probe> probes;
    for (std::size_t i = 0; i < objects.size(); i += 7) probes.push_back({"w", paths[i]});
    const auto tested = kernel_answers(who, probes);
    for (std::size_t j = 0; j < probes.size(); ++j) EXPECT_EQ(tested[j], kernel[j * 7][1]) << probes[j].path;
  }
  EXPECT_EQ(compared, 6 * 3 * 2 * static_cast<int>(kOwners.size() * (kModes.size() + kAcls.size())));
}

TEST_F(PermissionsTest, NonRootWritersAgreesWithTheKernel) {
  // An object has a non-root writer exactly when some non-root user of the
  // root's accounts owns it (and can chmod it) or the kernel lets them write
  // the file / create entries in the directory. /, /m and /d are root's.
  const auto objects = build_matrix(root_);
  RootFs fs(root_.path());
  std::map<std::string, bool> anyone;
  for (const Identity& who : everyone()) {
    if (who.uid == 0) continue;
    std::vector<Probe> probes;
    for (const auto& o : objects) probes.push_back({o.what.rfind("dir", 0) == 0 ? "c" : "w", root_.host(o.path)});
    const auto kernel = kernel_answers(who, probes);
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const auto st = fs.stat(objects[i].path);
      anyone[objects[i].path] = anyone[objects[i].path] || kernel[i] || st->uid == who.uid;
    }
  }
  for (const auto& o : objects) {
    const auto findings = non_root_writers(fs, accounts_, o.path);
    std::string found;
    for (const auto& w : findings) {
      EXPECT_EQ(w.path, o.path) << o.what;
      found += w.who + "; ";
    }
    EXPECT_EQ(!findings.empty(), anyone[o.path]) << o.what << ": findings " << found;
  }
}

// --- check_access: search permission on every directory crossed --------------

TEST_F(PermissionsTest, CheckAccessAgreesWithTheKernelThroughDirectories) {
  struct Dir {
    mode_t mode;
    uid_t uid;
    gid_t gid;
    std::string acl;
  };
  const std::vector<Dir> dirs{{0700, 0, 0, ""},
                              {0710, 0, 33, ""},
                              {0701, 0, 0, ""},
                              {0750, 33, 33, ""},
                              {0711, 0, 0, ""},
                              {0755, 0, 0, ""},
                              {0000, 0, 0, ""},
                              {0705, 1000, 50, ""},
                              {0070, 1000, 4, ""},
                              {0700, 0, 0, "u::rwx,u:33:x,g::-,m::x,o::-"},
                              {0700, 0, 0, "u::rwx,g::-,g:27:x,m::-,o::x"}};
  const std::vector<mode_t> file_modes{0644, 0600, 0666, 0755, 0604};
  std::vector<Object> objects;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    const std::string dir = "/p/d" + std::to_string(i);
    root_.dir(dir, dirs[i].mode, dirs[i].uid, dirs[i].gid);
    if (!dirs[i].acl.empty()) setfacl(root_.host(dir), dirs[i].acl);
    for (mode_t fm : file_modes) {
      const std::string f = dir + "/inner/f" + octal_mode(fm);
      root_.dir(dir + "/inner", 0755);
      root_.file(f, "x", fm, 33, 33);
      objects.push_back({f, "through " + octal_mode(dirs[i].mode) + " " + dirs[i].acl});
      // And the same file reached through a symlink whose own directory is
      // open (a relative target, so that the host kernel resolves it alike).
      const std::string link = "/links/l" + std::to_string(objects.size());
      root_.symlink(link, ".." + f);
      objects.push_back({link, "symlink to " + f});
    }
  }
  RootFs fs(root_.path());
  // test(1) per probe here: find cannot even stat what lies behind a closed directory.
  for (const Identity& who : everyone()) {
    std::vector<Probe> probes;
    for (const auto& o : objects) {
      for (const char* op : {"r", "w", "x"}) probes.push_back({op, root_.host(o.path)});
    }
    const auto kernel = kernel_answers(who, probes);
    std::size_t k = 0;
    for (const auto& o : objects) {
      for (unsigned bits : {unsigned{kRead}, unsigned{kWrite}, unsigned{kExecute}}) {
        const auto verdict = check_access(fs, who, o.path, bits);
        EXPECT_EQ(verdict.allowed, kernel[k]) << who.name << " " << probes[k].op << " " << o.path << " " << o.what;
        ++k;
      }
    }
  }
}

TEST_F(PermissionsTest, CheckAccessNamesTheBlockingDirectory) {
  root_.dir("/home/EHR", 0700).file("/home/EHR/config.php", "<?php", 0644, 33, 33);
  root_.file("/srv/x", "", 0600);
  RootFs fs(root_.path());
  const auto blocked = check_access(fs, id("www-data"), "/home/EHR/config.php", kRead);
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.blocked_at, "/home/EHR");
  EXPECT_EQ(blocked.reason, "www-data cannot enter /home/EHR (mode 0700)");
  const auto denied = check_access(fs, id("alice"), "/srv/x", kRead | kWrite | kExecute);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.blocked_at, "/srv/x");
  EXPECT_EQ(denied.reason, "alice cannot read/write/execute /srv/x");
  EXPECT_EQ(check_access(fs, id("alice"), "/srv/x", kWrite).reason, "alice cannot write /srv/x");
  EXPECT_EQ(check_access(fs, id("alice"), "/srv/x", kExecute).reason, "alice cannot execute /srv/x");
  const auto ok = check_access(fs, id("root"), "/home/EHR/config.php", kRead | kWrite);
  EXPECT_TRUE(ok.allowed);
  EXPECT_EQ(ok.blocked_at, "");
  EXPECT_EQ(ok.reason, "");
  EXPECT_THROW(check_access(fs, id("root"), "/home/EHR/missing", kRead), FsError);
}

// --- non_root_writers: paths ---------------------------------------------------

std::vector<std::string> who_where(const std::vector<WriterFinding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.path + " | " + f.who + " | " + f.observed);
  return out;
}

TEST_F(PermissionsTest, RootBinaryInWwwDataWritableDirectoryIsReportedWithThatDirectory) {
  root_.dir("/srv/app", 0775, 0, 33).file("/srv/app/tool", "#!/bin/sh\n", 0755);
  root_.dir("/srv/own", 0755, 33, 33).file("/srv/own/tool", "#!/bin/sh\n", 0755);
  root_.dir("/usr/local/bin").file("/usr/local/bin/safe", "", 0755);
  RootFs fs(root_.path());
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/srv/app/tool")),
            (std::vector<std::string>{
                "/srv/app | group www-data | owner=root group=www-data mode=0775 type=directory"}));
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/srv/own/tool")),
            (std::vector<std::string>{
                "/srv/own | owner www-data | owner=www-data group=www-data mode=0755 type=directory"}));
  EXPECT_TRUE(non_root_writers(fs, accounts_, "/usr/local/bin/safe").empty());
  EXPECT_THROW(non_root_writers(fs, accounts_, "/usr/local/bin/missing"), FsError);
}

TEST_F(PermissionsTest, NonRootWritersOfDirectoryEntriesAgreesWithTheKernel) {
  // Whether a non-root user could replace /s/dN/eM: rename it (sticky bit
  // and directory permissions decide), write it, or own it or its directory.
  struct Mode {
    mode_t mode;
    uid_t uid;
    gid_t gid;
  };
  const std::vector<Mode> dirs{{01777, 0, 0},   {0777, 0, 0},   {01770, 0, 33}, {0770, 0, 33},
                               {01777, 33, 33}, {0755, 0, 0},   {01757, 0, 0},  {01733, 0, 0},
                               {0733, 0, 0},    {01775, 0, 27}, {01773, 0, 0},  {0757, 0, 50}};
  // (Each component is judged on its own: a world-writable file behind a
  // directory others cannot search is still reported, conservatively, so
  // such directories are not part of this equivalence.)
  const std::vector<Mode> entries{{0644, 0, 0}, {0644, 33, 33}, {0600, 1000, 1000}, {0666, 0, 0}, {0640, 0, 27}};
  std::vector<std::string> paths;
  for (std::size_t d = 0; d < dirs.size(); ++d) {
    const std::string dir = "/s/d" + std::to_string(d);
    root_.dir(dir, dirs[d].mode, dirs[d].uid, dirs[d].gid);
    for (std::size_t e = 0; e < entries.size(); ++e) {
      const std::string entry = dir + "/e" + std::to_string(e);
      root_.file(entry, "x", entries[e].mode, entries[e].uid, entries[e].gid);
      paths.push_back(entry);
    }
  }
  RootFs fs(root_.path());
  std::map<std::string, bool> anyone;
  for (const Identity& who : everyone()) {
    if (who.uid == 0) continue;
    std::vector<Probe> probes;
    for (const auto& p : paths) {
      probes.push_back({"m", root_.host(p)});
      probes.push_back({"w", root_.host(p)});
    }
    const auto kernel = kernel_answers(who, probes);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const auto entry = fs.stat(paths[i]);
      const auto dir = fs.stat(paths[i].substr(0, paths[i].rfind('/')));
      anyone[paths[i]] =
          anyone[paths[i]] || kernel[2 * i] || kernel[2 * i + 1] || entry->uid == who.uid || dir->uid == who.uid;
    }
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto findings = non_root_writers(fs, accounts_, paths[i]);
    const auto d = i / entries.size();
    const auto e = i % entries.size();
    EXPECT_EQ(!findings.empty(), anyone[paths[i]])
        << paths[i] << ": dir " << octal_mode(dirs[d].mode) << " " << dirs[d].uid << ":" << dirs[d].gid << ", entry "
        << octal_mode(entries[e].mode) << " " << entries[e].uid << ":" << entries[e].gid << "; findings "
        << ::testing::PrintToString(who_where(findings));
  }
}

TEST_F(PermissionsTest, StickyDirectoryProtectsRootOwnedEntriesOnly) {
  root_.dir("/tmp", 01777).file("/tmp/rootfile", "", 0644).file("/tmp/theirs", "", 0644, 33, 33);
  root_.symlink("/tmp/link", "/etc/passwd");
  ASSERT_EQ(::lchown(root_.host("/tmp/link").c_str(), 1000, 1000), 0);
  root_.dir("/open", 0777).file("/open/rootfile", "", 0644);
  RootFs fs(root_.path());
  EXPECT_TRUE(non_root_writers(fs, accounts_, "/tmp/rootfile").empty());
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/tmp/theirs")),
            (std::vector<std::string>{
                "/tmp | others | owner=root group=root mode=1777 type=directory",
                "/tmp/theirs | owner www-data | owner=www-data group=www-data mode=0644 type=regular file"}));
  // alice owns the symlink in /tmp: she can replace it, so /tmp does not protect it.
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/tmp/link")),
            (std::vector<std::string>{"/tmp | others | owner=root group=root mode=1777 type=directory"}));
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/open/rootfile")),
            (std::vector<std::string>{"/open | others | owner=root group=root mode=0777 type=directory"}));
}

TEST_F(PermissionsTest, SymlinkedDirectoryChainJudgesBothTheLinkDirectoryAndTheTarget) {
  // /etc/app.d -> /opt/app/conf.d, /opt/app group-writable by www-data;
  // /links (others-writable) holds a link to a safe file.
  root_.dir("/opt/app", 0775, 0, 33).dir("/opt/app/conf.d").file("/opt/app/conf.d/main.conf", "", 0644);
  root_.dir("/etc").symlink("/etc/app.d", "/opt/app/conf.d");
  root_.dir("/links", 0757).symlink("/links/passwd", "/etc/passwd");
  RootFs fs(root_.path());
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/etc/app.d/main.conf")),
            (std::vector<std::string>{
                "/opt/app | group www-data | owner=root group=www-data mode=0775 type=directory"}));
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/links/passwd")),
            (std::vector<std::string>{"/links | others | owner=root group=root mode=0757 type=directory"}));
  // Both at once, through a chain of two directory links: the open directory
  // holding the first link, the owner of the second link's directory, and the
  // group-writable directory on the target's path, in resolution order.
  root_.dir("/home/alice", 0755, 1000, 1000).symlink("/home/alice/cfg", "/opt/app/conf.d");
  root_.symlink("/links/app.d", "/home/alice/cfg");
  EXPECT_EQ(
      who_where(non_root_writers(fs, accounts_, "/links/app.d/main.conf")),
      (std::vector<std::string>{"/links | others | owner=root group=root mode=0757 type=directory",
                                "/home/alice | owner alice | owner=alice group=alice mode=0755 type=directory",
                                "/opt/app | group www-data | owner=root group=www-data mode=0775 type=directory"}));
}

TEST_F(PermissionsTest, GroupWriteForRootGroupNeedsANonRootMember) {
  root_.dir("/r", 0775).file("/r/f", "", 0664);
  RootFs fs(root_.path());
  // Here carol's primary group is adm, nobody non-root is in group root.
  EXPECT_TRUE(non_root_writers(fs, accounts_, "/r/f").empty());

  // A non-root user whose primary group is root.
  Accounts primary(parse_passwd(std::string(kPasswd) + "operator:x:37:0::/root:/bin/sh\n", nullptr),
                   parse_group(kGroup, nullptr));
  EXPECT_EQ(who_where(non_root_writers(fs, primary, "/r/f")),
            (std::vector<std::string>{"/r | group root | owner=root group=root mode=0775 type=directory",
                                      "/r/f | group root | owner=root group=root mode=0664 type=regular file"}));
  // A non-root member listed in /etc/group.
  Accounts member(parse_passwd(kPasswd, nullptr), parse_group(std::string("root:x:0:bob\n") + kGroup, nullptr));
  EXPECT_EQ(non_root_writers(fs, member, "/r/f").size(), 2u);
}

TEST_F(PermissionsTest, AclWritersAreNamed) {
  root_.dir("/a").file("/a/u", "").file("/a/masked", "").file("/a/g", "").file("/a/o", "").file("/a/go", "", 0644, 0, 50);
  setfacl(root_.host("/a/u"), "u::rw,u:33:rw,g::r,m::rw,o::r");
  setfacl(root_.host("/a/masked"), "u::rw,u:33:rw,g::r,m::r,o::r");
  setfacl(root_.host("/a/g"), "u::rw,g::r,g:27:rw,m::rw,o::r");
  setfacl(root_.host("/a/o"), "u::rw,g::r,u:1000:r,m::r,o::rw");
  setfacl(root_.host("/a/go"), "u::rw,g::rw,u:1000:r,m::rw,o::-");
  RootFs fs(root_.path());
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/a/u")),
            (std::vector<std::string>{
                "/a/u | ACL user www-data | owner=root group=root mode=0664 type=regular file acl=yes"}));
  EXPECT_TRUE(non_root_writers(fs, accounts_, "/a/masked").empty());
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/a/g")),
            (std::vector<std::string>{
                "/a/g | ACL group sudo | owner=root group=root mode=0664 type=regular file acl=yes"}));
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/a/o")),
            (std::vector<std::string>{"/a/o | others | owner=root group=root mode=0646 type=regular file acl=yes"}));
  EXPECT_EQ(who_where(non_root_writers(fs, accounts_, "/a/go")),
            (std::vector<std::string>{
                "/a/go | group staff | owner=root group=staff mode=0660 type=regular file acl=yes"}));
}

TEST_F(PermissionsTest, RunuserProbeForAHostUser) {
  // Where the host has www-data as uid 33 with no supplementary group, the
  // host's own runuser gives the same answer as our model of the fixture's www-data.
  const auto host = run_capture({"/usr/bin/id", "-G", "www-data"});
  if (host != "33\n") GTEST_SKIP() << "host has no plain www-data (id -G: " << host << ")";
  root_.dir("/w").file("/w/yes", "", 0664, 0, 33).file("/w/no", "", 0644, 0, 33).file("/w/acl", "", 0644);
  setfacl(root_.host("/w/acl"), "u::rw,u:33:rw,g::r,m::rw,o::r");
  RootFs fs(root_.path());
  for (const char* f : {"/w/yes", "/w/no", "/w/acl"}) {
    int status = 0;
    run_capture({"/usr/sbin/runuser", "-u", "www-data", "--", "/usr/bin/test", "-w", root_.host(f).string()}, &status);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(may_access(*fs.stat(f), id("www-data"), kWrite), WEXITSTATUS(status) == 0) << f;
  }
}

}  // namespace
}  // namespace clinic_audit
