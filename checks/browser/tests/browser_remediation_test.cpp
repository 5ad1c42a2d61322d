// Remediation commands of the browser check (chromium_remediation.hpp): one
// pasteable, idempotent sh line per Chromium-family browser that blocks,
// every machine value quoted. The browser's own word on them is the oracle
// test RemediationCommandReallowsTheConsultation; here the command is run by
// sh on a fixture directory (the same function, given the fixture's path).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "browser/chromium_remediation.hpp"
#include "browser_check_helpers.hpp"
#include "common/shell_quote.hpp"

namespace clinic_audit {
namespace {

using namespace browser_test;
using browser::chromium_fix;
using browser::load_chromium_policies;

const std::string kOrigin = "https://ekermed.telesantebretagne.org";

int run_sh(const std::string& command) { return std::system(("sh -c " + shell_quote(command)).c_str()); }

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(BrowserRemediation, OneCommandPerBlockingChromiumBrowser) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0") + dpkg("google-chrome-stable", "130.0"));
  r.file("/etc/chromium/policies/managed/a.json",
         R"({"VideoCaptureAllowed": false, "VideoCaptureAllowedUrls": ["https://example.org"]})");
  r.file("/etc/opt/chrome/policies/recommended/b.json", R"({"ScreenCaptureAllowed": false})");
  const Outcome o = run(r);
  ASSERT_EQ(o.status, Status::fail) << o.summary;
  ASSERT_EQ(o.remediation_commands.size(), 2u);
  EXPECT_EQ(o.remediation_commands[0],
            "(umask 022 && mkdir -p /etc/chromium/policies/managed && printf '%s\\n' '{\"VideoCaptureAllowedUrls\": "
            "[\"https://example.org\", \"https://ekermed.telesantebretagne.org\"]}' > "
            "/etc/chromium/policies/managed/zz-clinic-audit-ekermed.json && chmod 644 "
            "/etc/chromium/policies/managed/zz-clinic-audit-ekermed.json)");
  EXPECT_EQ(o.remediation_commands[1],
            "(umask 022 && mkdir -p /etc/opt/chrome/policies/managed && printf '%s\\n' "
            "'{\"ScreenCaptureAllowedByOrigins\": [\"https://ekermed.telesantebretagne.org\"]}' > "
            "/etc/opt/chrome/policies/managed/zz-clinic-audit-ekermed.json && chmod 644 "
            "/etc/opt/chrome/policies/managed/zz-clinic-audit-ekermed.json)");
  EXPECT_NE(o.remediation.find("the last one wins"), std::string::npos) << o.remediation;
}

TEST(BrowserRemediation, CommandRunBySh_QuotedIdempotentAndReallows) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0"));
  // A hostile last name and list items: quotes, $(...), a newline, a backslash.
  const std::string last = "zzz'q $(touch pwned) \\.json";  // sorts after zz-clinic-audit-...
  r.file("/etc/chromium/policies/managed/a.json",
         R"({"AudioCaptureAllowed": false, "AudioCaptureAllowedUrls": ["https://it's.example\n$(id)\\"],
             "WebRtcIPHandling": "disable_non_proxied_udp", "URLBlocklist": ["*"], "DefaultJavaScriptSetting": 2})");
  r.file("/etc/chromium/policies/managed/" + last, "{}");
  ASSERT_EQ(run(r).status, Status::fail);
  RootFs fs(r.path());
  const auto policies = load_chromium_policies(fs, "/etc/chromium/policies");
  const std::string host_dir = r.host("/etc/chromium/policies").string();
  const auto fix = chromium_fix(host_dir, policies, {kOrigin});
  ASSERT_TRUE(fix.has_value());
  const std::string written = r.host("/etc/chromium/policies/managed/" + last + "-clinic-audit-ekermed.json");
  EXPECT_EQ(fix->path, written);
  // A technician's umask of 077: the file must still be readable by the desktop user's browser.
  ASSERT_EQ(run_sh("umask 077 && cd " + shell_quote(r.path().string()) + " && " + fix->command), 0) << fix->command;
  ASSERT_EQ(run_sh("cd " + shell_quote(r.path().string()) + " && " + fix->command), 0) << "idempotent";
  EXPECT_FALSE(std::filesystem::exists(r.path() / "pwned")) << "a value was executed";
  EXPECT_EQ(slurp(written), fix->json + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(written.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // The JSON is Chromium's dialect and keeps the clinic's item byte for byte.
  EXPECT_NE(fix->json.find(R"("https://it's.example\u000a$(id)\\")"), std::string::npos) << fix->json;
  const Outcome after = run(r);
  EXPECT_EQ(after.status, Status::pass) << after.summary;
  EXPECT_TRUE(after.remediation_commands.empty());
  // Run again: the file of ours is the last one, the same path is reused.
  const auto again = chromium_fix(host_dir, load_chromium_policies(fs, "/etc/chromium/policies"), {kOrigin});
  EXPECT_FALSE(again.has_value());
}

TEST(BrowserRemediation, NoCommandWhereNoNewFileCanHelp) {
  FixtureRoot r(fixture_dir("root"));
  r.file("/var/lib/dpkg/status", dpkg("chromium", "156.0") + dpkg("firefox-esr", "153.8.0esr-1"));
  // Tab level for the origin: the pattern may cover other origins (prose only).
  r.file("/etc/chromium/policies/managed/a.json", R"({"TabCaptureAllowedByOrigins": ["*"]})");
  // Firefox: one policies.json to edit in place (prose only).
  r.file("/etc/firefox/policies/policies.json",
         R"({"policies": {"Preferences": {"media.peerconnection.enabled": {"Value": false, "Status": "locked"}}}})");
  const Outcome o = run(r);
  ASSERT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(o.remediation_commands.empty());
  EXPECT_NE(o.remediation.find("/etc/chromium/policies/managed/a.json"), std::string::npos) << o.remediation;
}

}  // namespace
}  // namespace clinic_audit
