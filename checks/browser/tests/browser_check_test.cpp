// The browser check on fixture roots: inventory from each source, the matrix
// from policy parameters, Chromium and Firefox policies, bad input.
#include "browser/browser_check.hpp"

#include <gtest/gtest.h>

#include "browser_check_helpers.hpp"

namespace clinic_audit {
namespace {

using namespace browser_test;

TEST(BrowserCheck, DebianChromiumWithoutPoliciesPasses) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0.8078.108-1~deb12u1"));
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/var/lib/dpkg/status", "Chromium 156.0.8078.108-1~deb12u1 from deb", 1));
}

TEST(BrowserCheck, NoBrowserFails) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("bash", "5.2"));
  EXPECT_EQ(run(r).status, Status::fail);
}

TEST(BrowserCheck, MatrixThresholdsComeFromParameters) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "77.9.0esr-1") + dpkg("opera-stable", "34.0"));
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_NE(o.summary.find("below the matrix minimum firefox-esr >= 78"), std::string::npos) << o.summary;
  Params lower;
  for (const char* m : {"firefox-esr 77", "opera 34"}) lower.add("min_version", m);
  lower.add("origin", "https://ekermed.telesantebretagne.org");
  EXPECT_EQ(run(r, lower).status, Status::pass);
}

TEST(BrowserCheck, EdgeIsNotListedForLinux) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("microsoft-edge-stable", "120.0"));
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("not listed by the e-KerMed matrix for Linux"), std::string::npos) << o.summary;
}

TEST(BrowserCheck, UnmountedSnapIsAnErrorNotAGuess) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/snapd/state.json", R"({"data":{"snaps":{"firefox":{"current":"4848"}}}})");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_NE(o.summary.find("/snap/firefox/4848/meta/snap.yaml does not exist"), std::string::npos) << o.summary;
  r.file("/snap/firefox/4848/meta/snap.yaml", "name: firefox\nversion: 130.0-2\n");
  const Outcome mounted = run(r);
  EXPECT_EQ(mounted.status, Status::pass) << mounted.summary;
  EXPECT_TRUE(has_evidence(mounted, "/snap/firefox/4848/meta/snap.yaml", "Firefox 130.0-2 from snap"));
}

TEST(BrowserCheck, SnapChromiumReadsChromiumBrowserPolicies) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/snapd/state.json", R"({"data":{"snaps":{"chromium":{"current":"3000"}}}})");
  r.file("/snap/chromium/3000/meta/snap.yaml", "name: chromium\nversion: 131.0.6778.85\n");
  r.file("/etc/chromium/policies/managed/a.json", R"({"VideoCaptureAllowed": false})");  // Debian's, not the snap's
  EXPECT_EQ(run(r).status, Status::pass);
  r.file("/etc/chromium-browser/policies/managed/a.json", R"({"VideoCaptureAllowed": false})");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/chromium-browser/policies/managed/a.json", "VideoCaptureAllowed=false", 1));
}

TEST(BrowserCheck, FlatpakAppstreamAndOptTarball) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/flatpak/app/com.google.Chrome/x86_64/stable/abc/files/share/metainfo/com.google.Chrome.metainfo.xml",
         "<component><releases><release version=\"44.0\"/></releases></component>");
  r.symlink("/var/lib/flatpak/app/com.google.Chrome/current", "x86_64/stable");
  r.symlink("/var/lib/flatpak/app/com.google.Chrome/x86_64/stable/active", "abc");
  r.file(
      "/opt/firefox/application.ini",
      "[App]\nVendor=Mozilla\nName=Firefox\nVersion=115.5.0\nSourceRepository=https://hg.mozilla.org/releases/mozilla-esr115\n");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_NE(o.summary.find("capable for e-KerMed: Firefox ESR 115.5.0 (tarball firefox)"), std::string::npos)
      << o.summary;
  EXPECT_NE(o.summary.find("Google Chrome 44.0 (flatpak com.google.Chrome): version 44.0 below"), std::string::npos)
      << o.summary;
  EXPECT_TRUE(has_evidence(o, "/opt/firefox/application.ini", "Firefox ESR 115.5.0 from tarball", 4));
}

TEST(BrowserCheck, PerUserFlatpaksOfEveryHome) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                        "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
                        "bob:x:1001:1001:Bob:/srv/homes/bob:/bin/bash\n"
                        "alias:x:1002:1002:same home:/home/alice:/bin/sh\n"
                        "broken line\n");
  const std::string alice = "/home/alice/.local/share/flatpak/app/org.mozilla.firefox";
  r.file(alice + "/x86_64/stable/c1/files/share/metainfo/org.mozilla.firefox.metainfo.xml",
         "<component><releases><release version=\"130.0\"/></releases></component>");
  r.symlink(alice + "/current", "x86_64/stable");
  r.symlink(alice + "/x86_64/stable/active", "c1");
  // bob's Chromium is installed but its deployment has no AppStream data: an error, not a guess.
  r.dir("/srv/homes/bob/.local/share/flatpak/app/org.chromium.Chromium/x86_64/stable");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_NE(o.summary.find("Firefox 130.0 (flatpak org.mozilla.firefox (user alice))"), std::string::npos) << o.summary;
  EXPECT_NE(o.summary.find("Chromium (flatpak org.chromium.Chromium (user bob)): could not be judged"),
            std::string::npos)
      << o.summary;
  EXPECT_TRUE(has_evidence(o, alice + "/current/active/files/share/metainfo/org.mozilla.firefox.metainfo.xml",
                           "Firefox 130.0 from flatpak"));
  // Listed once although two accounts share the home.
  EXPECT_EQ(o.summary.find("user alias"), std::string::npos) << o.summary;
}

TEST(BrowserCheck, ChromiumVideoCaptureBlockedUnlessOriginAllowed) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.file("/etc/chromium/policies/managed/clinic.json", "{\n  // camera off\n  \"VideoCaptureAllowed\": false,\n}\n");
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(
      has_evidence(o, "/etc/chromium/policies/managed/clinic.json", "VideoCaptureAllowed=false (mandatory)", 3));
  EXPECT_NE(o.summary.find("audio/video breaks: camera blocked by VideoCaptureAllowed"), std::string::npos);
  EXPECT_NE(o.remediation.find("line 3"), std::string::npos) << o.remediation;
  r.file("/etc/chromium/policies/managed/zz-allow.json",
         "{\"VideoCaptureAllowedUrls\": [\"[*.]telesantebretagne.org\"]}");
  o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
}

TEST(BrowserCheck, ChromiumLaterFileWinsAndBrokenFileIsIgnored) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.file("/etc/chromium/policies/managed/a.json", "{\"AudioCaptureAllowed\": true}");
  r.file("/etc/chromium/policies/managed/b.json", "{\"AudioCaptureAllowed\": false}");
  r.file("/etc/chromium/policies/managed/c.json", "{\"ScreenCaptureAllowed\": false\n# oops\n}");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/b.json", "AudioCaptureAllowed=false"));
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/c.json", "JSON error", 2));
  EXPECT_EQ(o.summary.find("screen sharing breaks"), std::string::npos) << o.summary;
}

TEST(BrowserCheck, ChromiumUdpDisabledIsDegraded) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.file("/etc/chromium/policies/managed/a.json",
         "{\"WebRtcIPHandling\": \"disable_non_proxied_udp\", \"WebRtcUdpPortRange\": \"10000-11000\"}");
  EXPECT_EQ(run(r).status, Status::fail);
  const Outcome degraded_ok = run(r, matrix(true));
  EXPECT_EQ(degraded_ok.status, Status::pass);
  EXPECT_TRUE(has_evidence(degraded_ok, "/etc/chromium/policies/managed/a.json", "WebRtcUdpPortRange=\"10000-11000\""));
}

TEST(BrowserCheck, FirefoxPermissionsAndPrefs) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1"));
  r.file(
      "/usr/lib/firefox-esr/distribution/policies.json",
      "{\"policies\": {\"Permissions\": {\"Camera\": {\"BlockNewRequests\": true,\n \"Allow\": [\"https://other.example\"]}}}}");
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/usr/lib/firefox-esr/distribution/policies.json", "BlockNewRequests=true"));
  // The system file replaces the distribution one entirely.
  r.file("/etc/firefox/policies/policies.json", "{\"policies\": {}}");
  EXPECT_EQ(run(r).status, Status::pass);
  // media.navigator.enabled=false alone keeps getUserMedia (Navigator::HasUserMediaSupport).
  r.file("/etc/firefox-esr/clinic.js", "pref(\"media.navigator.enabled\", false);\n");
  EXPECT_EQ(run(r).status, Status::pass);
  r.file("/etc/firefox-esr/zz.js", "lockPref(\"media.peerconnection.enabled\", false);\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(has_evidence(o, "/etc/firefox-esr/zz.js", "media.peerconnection.enabled=false (locked)", 1));
}

TEST(BrowserCheck, FirefoxAutoconfig) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1"));
  r.file("/usr/lib/firefox-esr/defaults/pref/autoconfig.js",
         "pref(\"general.config.filename\", \"clinic.cfg\");\npref(\"general.config.obscure_value\", 0);\n");
  // A missing .cfg: Firefox quits at startup (oracle ff_autoconfig_missing_cfg).
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_NE(o.summary.find("Firefox quits at startup: the autoconfig file /usr/lib/firefox-esr/clinic.cfg"),
            std::string::npos)
      << o.summary;
  EXPECT_TRUE(
      has_evidence(o, "/usr/lib/firefox-esr/defaults/pref/autoconfig.js", "general.config.filename=\"clinic.cfg\"", 1));
  // Its lockPref, with the .cfg's line (first line skipped).
  r.file("/usr/lib/firefox-esr/clinic.cfg", "// clinic\n\nlockPref(\"media.peerconnection.enabled\", false);\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/usr/lib/firefox-esr/clinic.cfg", "media.peerconnection.enabled=false (locked)", 3));
  // JavaScript beyond the pref calls is not evaluated: `error` naming the line.
  r.file("/usr/lib/firefox-esr/clinic.cfg", "// clinic\nvar user = getenv(\"USER\");\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/usr/lib/firefox-esr/clinic.cfg", "not evaluated", 2));
}

TEST(BrowserCheck, FirefoxAutoconfigVendorAndObscureValue) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1"));
  const std::string gre = "/usr/lib/firefox-esr/defaults/pref/autoconfig.js";
  const std::string named = "pref(\"general.config.filename\", \"clinic.cfg\");\n";
  // A negative obscure value leaves the bytes as they are (oracle ff_autoconfig_negative_obscure).
  r.file(gre, named + "pref(\"general.config.obscure_value\", -3);\n");
  r.file("/usr/lib/firefox-esr/clinic.cfg", "//\nlockPref(\"media.peerconnection.enabled\", false);\n");
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/usr/lib/firefox-esr/clinic.cfg", "media.peerconnection.enabled=false (locked)", 2));
  // A vendor that is not the file name without ".cfg": Firefox quits (oracle ff_autoconfig_vendor_mismatch).
  r.file(gre, named + "pref(\"general.config.obscure_value\", 0);\npref(\"general.config.vendor\", \"other\");\n");
  r.file("/usr/lib/firefox-esr/clinic.cfg", "//\nlockPref(\"media.peerconnection.enabled\", true);\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_NE(o.summary.find("Firefox quits at startup: general.config.vendor \"other\" does not match"),
            std::string::npos)
      << o.summary;
  EXPECT_TRUE(has_evidence(o, gre, "general.config.vendor=\"other\"", 3)) << o.summary;
  // The .cfg may set it (read after it ran); a longer vendor with the same start matches (strncmp).
  r.file(
      "/usr/lib/firefox-esr/clinic.cfg",
      "//\nlockPref(\"general.config.vendor\", \"clinic-rennes\");\nlockPref(\"media.peerconnection.enabled\", true);\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
}

TEST(BrowserCheck, BadInputIsEvidenceNotACrash) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("firefox-esr", "153.8.0esr-1") + dpkg("chromium", "156.0"));
  r.file("/etc/firefox/policies/policies.json", "{\"policies\": {,}}");
  r.symlink("/etc/chromium/policies/managed/out.json", "../../../../../../../../../../etc/shadow");
  r.sparse("/etc/chromium/policies/managed/huge.json", 64 * 1024 * 1024);
  const Outcome o = run(r);
  // Chromium's huge file cannot be read: its verdict is unknown; Firefox is fine.
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/firefox/policies/policies.json", "JSON error", 1));
  EXPECT_TRUE(has_evidence(o, "/etc/chromium/policies/managed/huge.json", ""));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  EXPECT_EQ(run(r).status, Status::error);
}

TEST(BrowserCheck, BadParametersArePolicyErrors) {
  Params p;
  p.add("min_version", "chrome");
  p.add("origin", "https://x");
  EXPECT_THROW(browser_check_type().create(p), ParamError);
  Params q;
  q.add("min_version", "chrome 45");
  EXPECT_THROW(browser_check_type().create(q), ParamError);
}

}  // namespace
}  // namespace clinic_audit
