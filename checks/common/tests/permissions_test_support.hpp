// Shared by permissions_test.cpp and permissions_kernel_test.cpp: running a
// program, asking the kernel through setpriv, the accounts of the fixtures
// and the fixture class whose roots every identity can reach.
#pragma once

#include "common/permissions.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixture_root.hpp"

namespace clinic_audit::permissions_test {

using testing::FixtureRoot;

inline std::string test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

// Runs argv (absolute program), returns stdout; the exit status in *status.
inline std::string run_capture(const std::vector<std::string>& argv, int* status = nullptr) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  if (status != nullptr) *status = st;
  return out;
}

inline void setfacl(const std::filesystem::path& path, const std::string& spec) {
  int status = 0;
  run_capture({"/usr/bin/setfacl", "--set", spec, path.string()}, &status);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("setfacl --set " + spec + " " + path.string() + " failed");
  }
}

// One question for the kernel: "r", "w", "x" (test(1) on the path), "c"
// (can create and remove an entry in the directory: mkdir/rmdir) or "m"
// (can rename the entry away and back: mv).
struct Probe {
  std::string op;
  std::filesystem::path path;
};

// The kernel's answers for `who` (uid, all groups), one per probe.
inline std::vector<bool> kernel_answers(const Identity& who, const std::vector<Probe>& probes) {
  std::string groups;
  for (gid_t g : who.groups) groups += (groups.empty() ? "" : ",") + std::to_string(g);
  std::vector<std::string> argv{
      "/usr/bin/setpriv",
      "--reuid=" + std::to_string(who.uid),
      "--regid=" + std::to_string(who.groups.front()),
      "--groups=" + groups,
      "/bin/sh",
      "-c",
      "for a; do op=${a%%:*}; f=${a#*:};"
      " if [ \"$op\" = c ]; then"
      "   if /bin/mkdir \"$f/.probe-$$\" 2>/dev/null; then /bin/rmdir \"$f/.probe-$$\"; printf 1;"
      "   else printf 0; fi;"
      " elif [ \"$op\" = m ]; then"
      "   if /bin/mv -T \"$f\" \"$f.moved\" 2>/dev/null; then /bin/mv -T \"$f.moved\" \"$f\"; printf 1;"
      "   else printf 0; fi;"
      " elif /usr/bin/test -$op \"$f\"; then printf 1; else printf 0; fi;"
      " done",
      "probe"};
  for (const auto& p : probes) argv.push_back(p.op + ":" + p.path.string());
  int status = 0;
  const std::string out = run_capture(argv, &status);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.size() != probes.size()) {
    throw std::runtime_error("kernel probe failed for " + who.name + ": '" + out + "'");
  }
  std::vector<bool> answers;
  for (char c : out) answers.push_back(c == '1');
  return answers;
}

// The kernel's read/write/execute answers for `who` on each path, from one
// find(1) process: -readable/-writable/-executable ask access(2), so ACLs,
// capabilities and every rule of the kernel are applied by the kernel.
inline std::vector<std::array<bool, 3>> kernel_rwx(const Identity& who,
                                                   const std::vector<std::filesystem::path>& paths) {
  std::string groups;
  for (gid_t g : who.groups) groups += (groups.empty() ? "" : ",") + std::to_string(g);
  std::vector<std::string> argv{"/usr/bin/setpriv", "--reuid=" + std::to_string(who.uid),
                                "--regid=" + std::to_string(who.groups.front()), "--groups=" + groups, "/usr/bin/find"};
  for (const auto& p : paths) argv.push_back(p.string());
  for (const char* test : {"-readable", "-writable", "-executable"}) {
    argv.insert(argv.end(), {"(", test, "-printf", "1", "-o", "-printf", "0", ")"});
  }
  argv.insert(argv.end(), {"-printf", "\\n", "-prune"});
  int status = 0;
  const std::string out = run_capture(argv, &status);
  std::vector<std::array<bool, 3>> answers;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.size() != 3) break;
    answers.push_back({line[0] == '1', line[1] == '1', line[2] == '1'});
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || answers.size() != paths.size()) {
    throw std::runtime_error("kernel probe (find) failed for " + who.name + ": '" + out + "'");
  }
  return answers;
}

// Accounts of the permission fixtures: supplementary groups from /etc/group,
// a user whose primary group is another user's supplementary one, and a
// non-root user whose primary group is root's.
inline constexpr const char* kPasswd = "root:x:0:0:root:/root:/bin/bash\n"
                                       "www-data:x:33:33::/var/www:/usr/sbin/nologin\n"
                                       "alice:x:1000:1000::/home/alice:/bin/bash\n"
                                       "bob:x:1001:1001::/home/bob:/bin/bash\n"
                                       "carol:x:1002:4::/home/carol:/bin/bash\n"
                                       "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n";
inline constexpr const char* kGroup = "root:x:0:\n"
                                      "adm:x:4:alice\n"
                                      "sudo:x:27:alice\n"
                                      "www-data:x:33:alice\n"
                                      "staff:x:50:bob\n"
                                      "alice:x:1000:\n"
                                      "bob:x:1001:\n"
                                      "nogroup:x:65534:\n";

// Fixture roots for kernel probes live under /tmp (world-searchable), so that
// every identity can reach them whatever the build directory's permissions.
class PermissionsTest : public ::testing::Test {
 protected:
  PermissionsTest()
      : root_(std::filesystem::path("/tmp") / ("ca-perm-" + test_name() + "-" + std::to_string(::getpid()))) {
    root_.file("/etc/passwd", kPasswd).file("/etc/group", kGroup);
    std::vector<AccountsParseIssue> issues;
    accounts_ = Accounts(parse_passwd(kPasswd, &issues), parse_group(kGroup, &issues));
    EXPECT_TRUE(issues.empty());
  }
  ~PermissionsTest() override { std::filesystem::remove_all(root_.path()); }

  Identity id(std::string_view name) const { return identity_of(accounts_, *accounts_.user(name)); }
  std::vector<Identity> everyone() const {
    std::vector<Identity> out;
    for (const char* n : {"root", "www-data", "alice", "bob", "carol", "nobody"}) out.push_back(id(n));
    return out;
  }

  FixtureRoot root_;
  Accounts accounts_;
};

}  // namespace clinic_audit::permissions_test
