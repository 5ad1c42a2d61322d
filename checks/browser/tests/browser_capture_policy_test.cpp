// Chromium-family capture policies (issue #14 item 3): the screen-capture
// levels by origin, JavaScriptBlockedForUrls, WebRtcIPHandlingUrl, and the
// policy directories of Vivaldi, Edge, Brave and Opera.
#include <gtest/gtest.h>

#include <set>

#include "browser/chromium_policy.hpp"
#include "browser_check_helpers.hpp"

namespace clinic_audit {
namespace {

using namespace browser_test;

const std::string kManaged = "/etc/chromium/policies/managed/a.json";

Outcome chromium_with(const std::string& policy) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  r.file(kManaged, policy);
  return run(r);
}

bool says(const Outcome& o, const std::string& part) { return o.summary.find(part) != std::string::npos; }

TEST(BrowserCapturePolicy, ScreenCaptureAllowedFalseBreaksScreenSharing) {
  const Outcome o = chromium_with(R"({"ScreenCaptureAllowed": false})");
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(says(o, "screen sharing breaks: screen capture blocked by ScreenCaptureAllowed")) << o.summary;
  EXPECT_NE(o.remediation.find("ScreenCaptureAllowedByOrigins"), std::string::npos) << o.remediation;
}

TEST(BrowserCapturePolicy, ScreenOrWindowLevelForTheOriginIsEnough) {
  EXPECT_EQ(chromium_with(
                R"({"ScreenCaptureAllowed": false, "ScreenCaptureAllowedByOrigins": ["[*.]telesantebretagne.org"]})")
                .status,
            Status::pass);
  const Outcome window = chromium_with(
      R"({"ScreenCaptureAllowed": false, "WindowCaptureAllowedByOrigins": ["https://ekermed.telesantebretagne.org"]})");
  EXPECT_EQ(window.status, Status::pass) << window.summary;
  EXPECT_TRUE(has_evidence(window, kManaged, "WindowCaptureAllowedByOrigins=")) << window.summary;
}

TEST(BrowserCapturePolicy, TabLevelsBreakScreenSharingEvenWhenScreenCaptureIsAllowed) {
  // capture_policy_utils.cc: the most restrictive matching list wins, before ScreenCaptureAllowed.
  Outcome o = chromium_with(R"({"TabCaptureAllowedByOrigins": ["[*.]telesantebretagne.org"]})");
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(says(o, "only browser tabs can be shared")) << o.summary;
  o = chromium_with(R"({"ScreenCaptureAllowedByOrigins": ["*"],
                        "SameOriginTabCaptureAllowedByOrigins": ["https://ekermed.telesantebretagne.org"]})");
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(says(o, "only tabs of the same origin can be shared")) << o.summary;
  // A list that does not match the origin changes nothing.
  EXPECT_EQ(chromium_with(R"({"TabCaptureAllowedByOrigins": ["https://other.example"]})").status, Status::pass);
}

TEST(BrowserCapturePolicy, WrongTypesAreIgnoredAsChromiumDoes) {
  const Outcome o =
      chromium_with(R"({"ScreenCaptureAllowed": "false", "TabCaptureAllowedByOrigins": "[*.]telesantebretagne.org"})");
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(says(o, "ScreenCaptureAllowed has the wrong type")) << o.summary;
  EXPECT_TRUE(says(o, "TabCaptureAllowedByOrigins has the wrong type")) << o.summary;
}

TEST(BrowserCapturePolicy, JavaScriptBlockedForTheOrigin) {
  Outcome o = chromium_with(R"({"JavaScriptBlockedForUrls": ["[*.]telesantebretagne.org"]})");
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(says(o, "JavaScript blocked for https://ekermed.telesantebretagne.org by JavaScriptBlockedForUrls"));
  o = chromium_with(R"({"JavaScriptBlockedForUrls": ["https://other.example"]})");
  EXPECT_EQ(o.status, Status::pass) << o.summary;
}

TEST(BrowserCapturePolicy, PerUrlIpHandlingOverridesTheGlobalOne) {
  Outcome o = chromium_with(R"({"WebRtcIPHandlingUrl": [{"url": "*", "handling": "disable_non_proxied_udp"}]})");
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(says(o, "WebRtcIPHandlingUrl: disable_non_proxied_udp")) << o.summary;
  o = chromium_with(R"({"WebRtcIPHandling": "disable_non_proxied_udp",
                        "WebRtcIPHandlingUrl": [{"url": "https://ekermed.telesantebretagne.org", "handling": "default"}]})");
  EXPECT_EQ(o.status, Status::pass) << o.summary;
}

TEST(BrowserCapturePolicy, PoliciesThatOnlyRelaxAreReportedNotJudged) {
  // Oracle fixtures screen_without_gesture and local_ips_allowed: the browser stays capable.
  const Outcome o = chromium_with(R"({"ScreenCaptureWithoutGestureAllowedForOrigins": ["*"],
      "WebRtcLocalIpsAllowedUrls": ["*"], "WebRtcPostQuantumKeyAgreement": false,
      "WebRtcEventLogCollectionAllowed": false})");
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(has_evidence(o, kManaged, "ScreenCaptureWithoutGestureAllowedForOrigins=[\"*\"]", 1)) << o.summary;
  EXPECT_TRUE(has_evidence(o, kManaged, "WebRtcLocalIpsAllowedUrls=", 2)) << o.summary;
  EXPECT_TRUE(has_evidence(o, kManaged, "WebRtcPostQuantumKeyAgreement=false", 2)) << o.summary;
  EXPECT_TRUE(has_evidence(o, kManaged, "WebRtcEventLogCollectionAllowed=false", 3)) << o.summary;
  // Every judged or known name appears once in the list.
  std::set<std::string> names;
  for (const auto& p : browser::capture_policies()) EXPECT_TRUE(names.insert(p.name).second) << p.name;
}

TEST(BrowserCapturePolicy, EachChromiumBrowserReadsItsOwnDirectory) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("vivaldi-stable", "7.0.3") + dpkg("brave-browser", "1.70") +
                                     dpkg("google-chrome-stable", "130.0") + dpkg("opera-stable", "110.0"));
  const std::string off = R"({"VideoCaptureAllowed": false})";
  r.file("/etc/vivaldi/policies/managed/a.json", off);
  r.file("/etc/brave/policies/managed/a.json", off);
  r.file("/etc/opt/chrome/policies/managed/a.json", off);
  r.file("/etc/opera/policies/managed/a.json", off);  // no documented Opera directory: not read
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(says(o, "capable for e-KerMed: Opera 110.0 (deb opera-stable)")) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/var/lib/dpkg/status", "Opera reads no enterprise policy file on Linux"));
  for (const char* path : {"/etc/vivaldi/policies/managed/a.json", "/etc/brave/policies/managed/a.json",
                           "/etc/opt/chrome/policies/managed/a.json"}) {
    EXPECT_TRUE(has_evidence(o, path, "VideoCaptureAllowed=false")) << path;
  }
  r.file("/var/lib/dpkg/status", dpkg("microsoft-edge-stable", "130.0"));
  r.file("/etc/opt/edge/policies/managed/a.json", off);
  // The seed's matrix does not list Edge for Linux (its policies are then moot); as Chrome they are read.
  Params edge_as_chrome;
  edge_as_chrome.add("min_version", "chrome 45");
  edge_as_chrome.add("origin", "https://ekermed.telesantebretagne.org");
  EXPECT_TRUE(
      has_evidence(run(r, edge_as_chrome), "/etc/opt/edge/policies/managed/a.json", "VideoCaptureAllowed=false"));
}

TEST(BrowserCapturePolicy, VivaldiReadsEtcVivaldiNotEtcOpt) {
  // chromium_policy_dir cites the sources; no Vivaldi binary could be run here.
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("vivaldi-stable", "7.0.3"));
  r.file("/etc/opt/vivaldi/policies/managed/a.json", R"({"VideoCaptureAllowed": false})");
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/opt/vivaldi/policies", "not Vivaldi's policy directory")) << o.summary;
  EXPECT_FALSE(has_evidence(o, "/etc/opt/vivaldi/policies/managed/a.json", "")) << o.summary;
  r.file("/etc/vivaldi/policies/recommended/b.json", R"({"AudioCaptureAllowed": false})");
  o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(says(o, "audio/video breaks: microphone blocked by AudioCaptureAllowed")) << o.summary;
  EXPECT_TRUE(has_evidence(o, "/etc/vivaldi/policies/recommended/b.json", "AudioCaptureAllowed=false (recommended)"));
}

}  // namespace
}  // namespace clinic_audit
