// Issue #14 item 6: bad policy and preference files give clear evidence or
// `error`, never a crash or a silent pass. Where the browsers' own behaviour
// was checked (FIFOs, dangling symlinks, comments, syntax errors), the
// oracle fixture is named next to the assertion.
#include <gtest/gtest.h>

#include "browser_check_helpers.hpp"

namespace clinic_audit {
namespace {

using namespace browser_test;

bool has_reason(const Outcome& o, const std::string& part) { return o.summary.find(part) != std::string::npos; }

TEST(BrowserBadInput, ChromiumFifoHangsTheBrowser) {
  // Oracle fixture fifo_hangs: Debian's chromium opens the FIFO at startup and never loads a page.
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.fifo("/etc/chromium/policies/managed/pipe.json");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/pipe.json", "FIFO"));
  EXPECT_TRUE(has_reason(o, "a FIFO in the policy directory: Chromium waits on it at startup")) << o.summary;
}

TEST(BrowserBadInput, FirefoxFifoPreferenceFileHangsTheBrowser) {
  // Oracle fixture ff_fifo_pref: firefox-esr waits on the FIFO and never opens a page.
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1"));
  r.fifo("/etc/firefox-esr/zz.js");
  r.fifo("/etc/firefox-esr/not-a-pref.txt");  // not *.js: not read by Firefox, not reported
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/firefox-esr/zz.js", "FIFO"));
  EXPECT_FALSE(has_evidence(o, "/etc/firefox-esr/not-a-pref.txt", ""));
}

TEST(BrowserBadInput, FirefoxFifoPoliciesFileIsAnError) {
  // Not run against firefox-esr: the policies file that cannot be read is "could not evaluate".
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1"));
  r.fifo("/etc/firefox/policies/policies.json");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/firefox/policies/policies.json", "")) << o.summary;
}

TEST(BrowserBadInput, OversizedFilesAreErrorsNamingTheFile) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1"));
  r.sparse("/etc/firefox-esr/huge.js", 8 * 1024 * 1024);
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/firefox-esr/huge.js", "")) << o.summary;
  EXPECT_TRUE(has_reason(o, "a policy or preference file could not be read")) << o.summary;
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.sparse("/etc/chromium/policies/recommended/huge.json", 2 * 1024 * 1024);
  o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/recommended/huge.json", ""));
}

TEST(BrowserBadInput, SymlinksStayInsideTheAuditedRoot) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  // Absolute and climbing targets are re-rooted: the root's /srv file is read, never the host's.
  r.file("/srv/clinic/camera.json", "{\n\"VideoCaptureAllowed\": false}");
  r.symlink("/etc/chromium/policies/managed/a.json", "/srv/clinic/camera.json");
  r.symlink("/etc/chromium/policies/managed/b.json", "../../../../../../../../etc/shadow");  // absent in the root
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/a.json", "VideoCaptureAllowed=false", 2));
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/a.json", "symlink to /srv/clinic/camera.json"));
  // Oracle fixture dangling_symlink: Chromium skips it and starts normally.
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/b.json", "absent in the audited root"));
  // A symlink loop cannot be read: `error`, naming the file.
  r.file("/etc/chromium/policies/managed/a.json", "{}");
  r.symlink("/etc/chromium/policies/managed/loop1.json", "loop2.json");
  r.symlink("/etc/chromium/policies/managed/loop2.json", "loop1.json");
  o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/loop1.json", ""));
}

TEST(BrowserBadInput, PolicyFileOthersCannotReadIsReported) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.file("/etc/chromium/policies/managed/a.json", "{\"VideoCaptureAllowed\": false}", 0600);
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;  // read as the check reads it; the note says who cannot
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/a.json", "mode 0600, owner uid 0")) << o.summary;
}

TEST(BrowserBadInput, CommentsInJsonFollowEachBrowsersParser) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0") + dpkg("firefox-esr", "153.8.0esr-1"));
  // Chromium accepts comments (oracle comments_trailing_comma): the block applies.
  r.file("/etc/chromium/policies/managed/a.json", "/* clinic */ {\"AudioCaptureAllowed\": false // mic off\n}");
  // Firefox's JSON.parse does not (oracle ff_policy_comment_ignored): no policy at all.
  r.file("/etc/firefox/policies/policies.json",
         "// clinic\n{\"policies\": {\"Preferences\": {\"media.peerconnection.enabled\": false}}}");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;  // Firefox stays capable
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/a.json", "AudioCaptureAllowed=false"));
  EXPECT_TRUE(has_evidence(o, "/etc/firefox/policies/policies.json", "JSON error", 1));
  EXPECT_TRUE(has_reason(o, "Firefox applies no policy: policies.json does not parse")) << o.summary;
}

TEST(BrowserBadInput, MalformedChromiumFileIsIgnoredAndSaidSo) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.file("/etc/chromium/policies/managed/a.json", "{\"VideoCaptureAllowed\": false,\n\"AudioCaptureAllowed\": fals}\n");
  const Outcome o = run(r);
  // Oracle broken_file_ignored: the whole file is ignored, so the camera stays allowed.
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/a.json", "JSON error", 2));
  EXPECT_TRUE(has_reason(o, "Chromium ignores this whole file: it does not parse")) << o.summary;
}

TEST(BrowserBadInput, FirefoxPreferenceSyntaxErrorNamesTheLine) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1"));
  r.file("/etc/firefox-esr/clinic.js", "pref(\"a\", 1);\n\npref(\"media.peerconnection.enabled\" false);\n");
  const Outcome o = run(r);
  EXPECT_TRUE(has_evidence(o, "/etc/firefox-esr/clinic.js", "expected", 3)) << o.summary;
}

}  // namespace
}  // namespace clinic_audit
