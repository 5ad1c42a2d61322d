// Issue #14 item 6, unreadable and hostile files: a policy or preference file
// (or a directory of them) that the auditor cannot read, a FIFO, a file over
// the read cap, a directory where a file is expected, a symlink out of the
// root. Each gives `error` naming the file, or the evidence of what the
// browser itself does with it (a FIFO hangs both browsers at startup: oracle
// fixtures fifo_hangs, ff_fifo_pref) -- never a pass.
//
// Mode 000 does not stop root, so the check runs in a child process as
// nobody (65534), as tests/integration/unreadable_inputs_test.cpp runs the
// agent: everything else of the fixture is made readable by others, only the
// file under test is not. Run by another user, the test reads as that user.
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "browser_check_helpers.hpp"

namespace clinic_audit {
namespace {

using namespace browser_test;
using testing::source_dir;

struct Seen {
  std::string status;
  std::string summary;
  std::vector<std::string> evidence;  // "path|observed" per item
};

bool names(const Seen& s, const std::string& path) {
  for (const auto& e : s.evidence) {
    if (e.rfind(path + "|", 0) == 0) return true;
  }
  return false;
}

std::string dump(const Seen& s) {
  std::string out = s.status + ": " + s.summary;
  for (const auto& e : s.evidence) out += "\n  " + e;
  return out;
}

// Every directory of the fixture o+rx, every file o+r (up to the build tree),
// then `unreadable` (in-root paths) mode 000.
void readable_by_others_but(const FixtureRoot& r, const std::vector<std::string>& unreadable) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(r.path())) {
    if (entry.is_symlink()) continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0) continue;
    ::chmod(entry.path().c_str(), (st.st_mode & 07777) | (S_ISDIR(st.st_mode) ? 05 : 04));
  }
  for (auto dir = r.path(); dir.string().starts_with(source_dir().string()) && dir != source_dir();
       dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 05) != 05) ::chmod(dir.c_str(), st.st_mode | 05);
  }
  for (const auto& path : unreadable) ::chmod(r.host(path).c_str(), 0);
}

// The check's outcome as a reader who is not root (nobody when we are root).
Seen run_as_reader(const FixtureRoot& r) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
                             ::setresuid(65534, 65534, 65534) != 0))
      ::_exit(3);
    std::string out;
    try {
      const Outcome o = run(r);
      out = std::string(to_string(o.status)) + "\n" + o.summary + "\n";
      for (const auto& e : o.evidence) out += e.path + "|" + e.observed + "\n";
    } catch (const std::exception& e) {
      out = std::string("exception\n") + e.what() + "\n";
    }
    const char* p = out.data();
    std::size_t left = out.size();
    while (left > 0) {
      const ssize_t n = ::write(fds[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) throw std::runtime_error("the reader process failed");
  Seen seen;
  std::istringstream lines(text);
  std::getline(lines, seen.status);
  std::getline(lines, seen.summary);
  for (std::string line; std::getline(lines, line);) seen.evidence.push_back(line);
  return seen;
}

const std::string kChromium = dpkg("chromium", "156.0");
const std::string kFirefox = dpkg("firefox-esr", "153.8.0esr-1");

// One unreadable path of a root holding one browser: `error`, the path named.
// First the control: all readable, the same reader gets a pass.
void expect_error_naming(FixtureRoot& r, const std::string& unreadable, const std::string& named) {
  readable_by_others_but(r, {});
  const Seen control = run_as_reader(r);
  ASSERT_EQ(control.status, "pass") << "control run, everything readable: " << dump(control);
  readable_by_others_but(r, {unreadable});
  const Seen s = run_as_reader(r);
  EXPECT_EQ(s.status, "error") << unreadable << ": " << dump(s);
  EXPECT_TRUE(names(s, named)) << unreadable << " should be named as " << named << ": " << dump(s);
  EXPECT_NE(s.summary.find("could not be read"), std::string::npos) << dump(s);
}

TEST(BrowserUnreadable, ChromiumPolicyFileMode000) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", kChromium);
  r.file("/etc/chromium/policies/managed/a.json", "{\"VideoCaptureAllowed\": true}");
  r.file("/etc/chromium/policies/managed/b.json", "{}");
  expect_error_naming(r, "/etc/chromium/policies/managed/b.json", "/etc/chromium/policies/managed/b.json");
}

TEST(BrowserUnreadable, ChromiumRecommendedDirectoryCannotBeListed) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", kChromium);
  r.file("/etc/chromium/policies/recommended/a.json", "{}");
  expect_error_naming(r, "/etc/chromium/policies/recommended", "/etc/chromium/policies/recommended");
}

TEST(BrowserUnreadable, ChromiumPolicyDirectoryCannotBeSearched) {
  // Whether managed/ exists cannot be told: not "absent", `error`.
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", kChromium);
  r.file("/etc/chromium/policies/managed/a.json", "{}");
  expect_error_naming(r, "/etc/chromium/policies", "/etc/chromium/policies/managed");
}

TEST(BrowserUnreadable, FirefoxPreferenceFileAndDirectory) {
  {
    FixtureRoot r(fixture_dir("file"));
    r.file("/var/lib/dpkg/status", kFirefox);
    r.file("/etc/firefox-esr/clinic.js", "pref(\"media.peerconnection.enabled\", true);\n");
    expect_error_naming(r, "/etc/firefox-esr/clinic.js", "/etc/firefox-esr/clinic.js");
  }
  {
    FixtureRoot r(fixture_dir("dir"));
    r.file("/var/lib/dpkg/status", kFirefox);
    r.file("/etc/firefox-esr/clinic.js", "\n");
    expect_error_naming(r, "/etc/firefox-esr", "/etc/firefox-esr");
  }
  {
    FixtureRoot r(fixture_dir("install"));
    r.file("/var/lib/dpkg/status", kFirefox);
    r.file("/usr/lib/firefox-esr/defaults/pref/local.js", "\n");
    expect_error_naming(r, "/usr/lib/firefox-esr/defaults/pref", "/usr/lib/firefox-esr/defaults/pref");
  }
}

TEST(BrowserUnreadable, FirefoxPoliciesFileAndItsDirectories) {
  {
    FixtureRoot r(fixture_dir("file"));
    r.file("/var/lib/dpkg/status", kFirefox);
    r.file("/etc/firefox/policies/policies.json", "{\"policies\": {}}");
    expect_error_naming(r, "/etc/firefox/policies/policies.json", "/etc/firefox/policies/policies.json");
  }
  {
    // The system directory cannot be searched: whether policies.json is there
    // (and so whether the distribution file is read at all) cannot be told.
    FixtureRoot r(fixture_dir("dir"));
    r.file("/var/lib/dpkg/status", kFirefox);
    r.file("/etc/firefox/policies/policies.json", "{\"policies\": {}}");
    r.file("/usr/lib/firefox-esr/distribution/policies.json", "{\"policies\": {}}");
    expect_error_naming(r, "/etc/firefox/policies", "/etc/firefox/policies/policies.json");
  }
  {
    FixtureRoot r(fixture_dir("distribution"));
    r.file("/var/lib/dpkg/status", kFirefox);
    r.file("/usr/lib/firefox-esr/distribution/policies.json", "{\"policies\": {}}");
    expect_error_naming(r, "/usr/lib/firefox-esr/distribution/policies.json",
                        "/usr/lib/firefox-esr/distribution/policies.json");
  }
}

TEST(BrowserUnreadable, FirefoxAutoconfigFile) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", kFirefox);
  r.file("/usr/lib/firefox-esr/defaults/pref/autoconfig.js",
         "pref(\"general.config.filename\", \"clinic.cfg\");\npref(\"general.config.obscure_value\", 0);\n");
  r.file("/usr/lib/firefox-esr/clinic.cfg", "// first line\nlockPref(\"media.peerconnection.enabled\", true);\n");
  expect_error_naming(r, "/usr/lib/firefox-esr/clinic.cfg", "/usr/lib/firefox-esr/clinic.cfg");
}

TEST(BrowserUnreadable, DpkgStatusUnreadableIsAnError) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", kChromium);
  readable_by_others_but(r, {});
  ASSERT_EQ(run_as_reader(r).status, "pass");
  readable_by_others_but(r, {"/var/lib/dpkg/status"});
  const Seen s = run_as_reader(r);
  EXPECT_EQ(s.status, "error") << dump(s);
  EXPECT_TRUE(names(s, "/var/lib/dpkg/status")) << dump(s);
}

// Hostile entries that need no other reader: the same rule, as root.
TEST(BrowserHostile, FirefoxFilesThatAreFifosDirectoriesOrHugeAreErrors) {
  struct Case {
    const char* path;
    enum { fifo, directory, huge } kind;
  };
  const std::string autoconfig_js =
      "pref(\"general.config.filename\", \"clinic.cfg\");\npref(\"general.config.obscure_value\", 0);\n";
  for (const Case c :
       {Case{"/etc/firefox/policies/policies.json", Case::directory},
        Case{"/etc/firefox/policies/policies.json", Case::huge},
        Case{"/usr/lib/firefox-esr/distribution/policies.json", Case::fifo},
        Case{"/usr/lib/firefox-esr/distribution/policies.json", Case::huge},
        Case{"/usr/lib/firefox-esr/clinic.cfg", Case::fifo}, Case{"/usr/lib/firefox-esr/clinic.cfg", Case::directory},
        Case{"/usr/lib/firefox-esr/clinic.cfg", Case::huge}}) {
    FixtureRoot r(fixture_dir("root"));
    r.file("/var/lib/dpkg/status", kFirefox);
    r.file("/usr/lib/firefox-esr/defaults/pref/autoconfig.js", autoconfig_js);
    if (std::string(c.path) != "/usr/lib/firefox-esr/clinic.cfg")
      r.file("/usr/lib/firefox-esr/clinic.cfg", "// first line\n");
    if (c.kind == Case::fifo) r.fifo(c.path);
    if (c.kind == Case::directory) r.dir(c.path);
    if (c.kind == Case::huge) r.sparse(c.path, 8 * 1024 * 1024);
    const Outcome o = run(r);
    EXPECT_EQ(o.status, Status::error) << c.path << " kind " << c.kind << ": " << o.summary;
    EXPECT_TRUE(has_evidence(o, c.path, "")) << c.path << " kind " << c.kind << ": " << o.summary;
  }
}

TEST(BrowserHostile, ChromiumDirectoryWhereTheLevelDirectoryShouldBe) {
  // managed/ a regular file: Chromium's FileEnumerator finds nothing to
  // read there; the check cannot list it and says so (`error`, named).
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", kChromium);
  r.file("/etc/chromium/policies/managed", "{\"VideoCaptureAllowed\": false}");
  const Outcome o = run(r);
  EXPECT_NE(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed", "")) << o.summary;
}

TEST(BrowserHostile, FirefoxPreferenceSymlinkOutOfTheRootIsReadInsideIt) {
  // An absolute target is re-rooted: the root's own file is read, never the host's.
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", kFirefox);
  r.file("/srv/prefs/off.js", "pref(\"media.peerconnection.enabled\", false);\n");
  r.symlink("/etc/firefox-esr/a.js", "/srv/prefs/off.js");
  r.symlink("/etc/firefox-esr/b.js", "../../../../../../../../etc/passwd.js");  // absent in the root
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/firefox-esr/a.js", "media.peerconnection.enabled")) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/firefox-esr/b.js", "absent in the audited root")) << o.summary;
}

}  // namespace
}  // namespace clinic_audit
