// Debian's chromium is the oracle of the Chromium policy model (issue #14
// item 4). For each fixture, policy files are bind-mounted over
// /etc/chromium in a private mount namespace (nothing of the host changes),
// chromium runs headless against probe.html served on 127.0.0.1, and what the
// page could really do (JavaScript, camera, microphone, UDP host candidates)
// must equal what judge_chromium_policies() says (and, for firefox-esr,
// judge_firefox_config()). Not compared here: a
// policy whose effect is a prompt (DefaultMediaStreamSetting=3: Chromium then
// ignores the profile's grant and asks, and a headless prompt is denied) and
// getDisplayMedia (headless has no screen picker): see tests/README.md. How permission is granted
// without overriding the policies is in tests/README.md next to this file.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "browser/chromium_policy.hpp"
#include "browser/firefox_policy.hpp"
#include "browser/inventory.hpp"
#include "browser/version.hpp"
#include "fixture_root.hpp"

extern char** environ;

namespace clinic_audit::browser {
namespace {

namespace fs = std::filesystem;
using testing::fixture_dir;
using testing::source_dir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
    pclose(pipe);
  }
  return out;
}

bool chromium_usable(std::string* why) {
  if (!fs::exists("/usr/bin/chromium")) return *why = "Debian's chromium is not installed", false;
  if (!fs::is_directory("/etc/chromium")) return *why = "/etc/chromium is missing (mount point of the fixtures)", false;
  if (geteuid() != 0) return *why = "needs root (mount namespace)", false;
  return true;
}

// The loopback server of probe.html, stopped at the end of the suite.
class ProbeServer {
 public:
  explicit ProbeServer(const fs::path& work) : results_(work / "results") {
    fs::create_directories(results_);
    const fs::path port_file = work / "port";
    fs::remove(port_file);
    const std::string server = (source_dir() / "checks/browser/tests/oracle/server.py").string();
    const std::string page = (source_dir() / "checks/browser/tests/oracle/probe.html").string();
    const std::string results = results_.string(), port = port_file.string();
    const char* argv[] = {"python3", server.c_str(), page.c_str(), results.c_str(), "5", port.c_str(), nullptr};
    if (posix_spawnp(&pid_, "python3", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) pid_ = -1;
    for (int i = 0; i < 100 && pid_ > 0 && !fs::exists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    port_ = slurp(port_file);
  }
  ~ProbeServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string origin() const { return "http://127.0.0.1:" + port_; }
  const fs::path& results() const { return results_; }
  bool running() const { return pid_ > 0 && !port_.empty(); }

 private:
  fs::path results_;
  pid_t pid_ = -1;
  std::string port_;
};

struct Fixture {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;  // relative to policies/, content ("ORIGIN" replaced)
};

std::string with_origin(std::string text, const std::string& origin) {
  for (std::size_t at; (at = text.find("ORIGIN")) != std::string::npos;) text.replace(at, 6, origin);
  return text;
}

// What the browser did: "js", "video", "audio", "udphost" ...
std::map<std::string, std::string> run_chromium(const ProbeServer& server, const Fixture& f, const fs::path& base) {
  const fs::path etc = base / "etc-chromium", profile = base / "profile";
  fs::remove_all(etc);
  fs::remove_all(profile);
  fs::create_directories(etc / "policies/managed");
  fs::create_directories(etc / "policies/recommended");
  if (fs::exists("/etc/chromium/master_preferences")) fs::copy("/etc/chromium/master_preferences", etc);
  for (const auto& [path, content] : f.files) std::ofstream(etc / "policies" / path) << with_origin(content, server.origin());
  // The user's grant of camera and microphone for the probe origin: a
  // content-setting exception in the profile, which the capture policies
  // still override (unlike --use-fake-ui-for-media-stream).
  fs::create_directories(profile / "Default");
  const std::string pattern = "\"" + server.origin() + ",*\":{\"setting\":1}";
  std::ofstream(profile / "Default/Preferences")
      << "{\"profile\":{\"content_settings\":{\"exceptions\":{\"media_stream_camera\":{" << pattern
      << "},\"media_stream_mic\":{" << pattern << "}}}}}";
  fs::remove(server.results() / f.name);
  const std::string command =
      "unshare -m sh -c 'mount --make-rprivate / && mount --bind " + etc.string() +
      " /etc/chromium && exec timeout 60 chromium --headless --no-sandbox --disable-gpu "
      "--use-fake-device-for-media-stream --user-data-dir=" + profile.string() + " --dump-dom \"" + server.origin() +
      "/?case=" + f.name + "\"' >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  std::map<std::string, std::string> seen;
  seen["exit"] = std::to_string(status);
  const std::string report = slurp(server.results() / f.name);
  if (report.empty()) seen["js"] = "no";  // the page's script never ran
  std::istringstream words(report);
  for (std::string word; words >> word;) {
    const auto eq = word.find('=');
    if (eq != std::string::npos) seen[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return seen;
}

TEST(BrowserChromiumOracle, PolicyVerdictsAgreeWithChromium) {
  std::string why;
  if (!chromium_usable(&why)) GTEST_SKIP() << why;
  const fs::path base = fixture_dir("oracle");
  fs::create_directories(base);
  ProbeServer server(base);
  ASSERT_TRUE(server.running()) << "python3 probe server did not start";
  const std::vector<Fixture> fixtures = {
      {"none", {}},
      {"video_off", {{"managed/a.json", R"({"VideoCaptureAllowed": false})"}}},
      {"video_off_origin_allowed", {{"managed/a.json", R"({"VideoCaptureAllowed": false, "VideoCaptureAllowedUrls": ["ORIGIN"]})"}}},
      {"video_off_host_pattern", {{"managed/a.json", R"({"VideoCaptureAllowed": false, "VideoCaptureAllowedUrls": ["127.0.0.1"]})"}}},
      {"video_off_other_allowed", {{"managed/a.json", R"({"VideoCaptureAllowed": false, "VideoCaptureAllowedUrls": ["https://example.org"]})"}}},
      {"audio_off", {{"managed/a.json", R"({"AudioCaptureAllowed": false})"}}},
      {"audio_off_origin_allowed", {{"managed/a.json", R"({"AudioCaptureAllowed": false, "AudioCaptureAllowedUrls": ["ORIGIN"]})"}}},
      {"media_stream_block", {{"managed/a.json", R"({"DefaultMediaStreamSetting": 2})"}}},
      {"udp_off", {{"managed/a.json", R"({"WebRtcIPHandling": "disable_non_proxied_udp"})"}}},
      {"video_off_string_type", {{"managed/a.json", R"({"VideoCaptureAllowed": "false"})"}}},
      {"comments_trailing_comma", {{"managed/a.json", "// clinic\n{ /* camera */ \"VideoCaptureAllowed\": false, }\n"}}},
      {"hash_comment_file_ignored", {{"managed/a.json", "{\"VideoCaptureAllowed\": false} # no\n"}}},
      {"broken_file_ignored", {{"managed/a.json", "{\"VideoCaptureAllowed\": false\n"}}},
      {"array_file_ignored", {{"managed/a.json", "[{\"VideoCaptureAllowed\": false}]"}}},
      {"later_file_allows", {{"managed/a.json", R"({"VideoCaptureAllowed": false})"}, {"managed/b.json", R"({"VideoCaptureAllowed": true})"}}},
      {"later_file_blocks", {{"managed/a.json", R"({"AudioCaptureAllowed": true})"}, {"managed/b.json", R"({"AudioCaptureAllowed": false})"}}},
      {"hidden_file_read", {{"managed/.x", R"({"VideoCaptureAllowed": false})"}}},
      {"duplicate_key_last_wins", {{"managed/a.json", R"({"VideoCaptureAllowed": false, "VideoCaptureAllowed": true})"}}},
      {"bom_file", {{"managed/a.json", "\xEF\xBB\xBF{\"AudioCaptureAllowed\": false}"}}},
      {"recommended_video_off", {{"recommended/a.json", R"({"VideoCaptureAllowed": false})"}}},
      {"mandatory_beats_recommended", {{"managed/a.json", R"({"AudioCaptureAllowed": true})"}, {"recommended/a.json", R"({"AudioCaptureAllowed": false})"}}},
      {"javascript_off", {{"managed/a.json", R"({"DefaultJavaScriptSetting": 2})"}}},
      {"javascript_off_origin_allowed", {{"managed/a.json", R"({"DefaultJavaScriptSetting": 2, "JavaScriptAllowedForUrls": ["ORIGIN"]})"}}},
      {"url_blocklist_all", {{"managed/a.json", R"({"URLBlocklist": ["*"]})"}}},
      {"url_blocklist_all_origin_allowed", {{"managed/a.json", R"({"URLBlocklist": ["*"], "URLAllowlist": ["127.0.0.1"]})"}}},
      {"url_blocklist_host", {{"managed/a.json", R"({"URLBlocklist": ["http://127.0.0.1"]})"}}},
      {"url_blocklist_other_host", {{"managed/a.json", R"({"URLBlocklist": ["example.org", ".127.0.0.2"]})"}}},
      {"javascript_off_real_type", {{"managed/a.json", R"({"DefaultJavaScriptSetting": 2.0})"}}},
  };
  int compared = 0;
  for (const auto& f : fixtures) {
    SCOPED_TRACE(f.name);
    const auto seen = run_chromium(server, f, base / f.name);
    // Our model on the same files, read through RootFs from the fixture tree.
    RootFs root(base / f.name);
    const auto policies = load_chromium_policies(root, "/etc-chromium/policies");
    bool js = true, video = true, audio = true, udp = true;
    for (const auto& finding : judge_chromium_policies(policies, {server.origin()})) {
      if (finding.impact == Impact::degrades) udp = false;
      if (finding.impact != Impact::breaks_audio_video) continue;
      if (finding.what.find("JavaScript") != std::string::npos) js = false;
      if (finding.what.find("blocked by URLBlocklist") != std::string::npos) js = false;  // the page never loads
      if (finding.what.find("camera") != std::string::npos) video = false;
      if (finding.what.find("microphone") != std::string::npos) audio = false;
    }
    std::string observed;
    for (const auto& [k, v] : seen) observed += k + "=" + v + " ";
    ASSERT_EQ(seen.at("js") == "yes" || seen.count("pc"), js) << observed;
    if (!js) {
      ++compared;
      continue;
    }
    ASSERT_EQ(seen.count("video"), 1u) << observed;
    EXPECT_EQ(seen.at("video") == "granted", video) << observed;
    EXPECT_EQ(seen.at("audio") == "granted", audio) << observed;
    EXPECT_EQ(seen.at("udphost") != "0", udp) << observed;
    EXPECT_EQ(seen.at("pc"), "function") << observed;
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(fixtures.size()));
}

bool firefox_usable(std::string* why) {
  if (!fs::exists("/usr/bin/firefox-esr")) return *why = "Debian's firefox-esr is not installed", false;
  if (!fs::is_directory("/usr/lib/firefox-esr/distribution")) return *why = "no /usr/lib/firefox-esr/distribution", false;
  if (geteuid() != 0) return *why = "needs root (mount namespace)", false;
  return true;
}

// Firefox fixtures: files of a root tree (/etc/firefox/policies/policies.json,
// /etc/firefox-esr/*.js, /usr/lib/firefox-esr/distribution/policies.json).
// The browser sees them through an overlay on /etc (the host's /etc below,
// unchanged) and a bind mount on the install's distribution directory.
std::map<std::string, std::string> run_firefox(const ProbeServer& server, const Fixture& f, const fs::path& base) {
  const fs::path root = base / "root", profile = base / "profile", work = base / "overlay-work";
  fs::remove_all(base);
  fs::create_directories(root / "etc");
  fs::create_directories(root / "usr/lib/firefox-esr/distribution");
  fs::create_directories(work);
  fs::create_directories(profile);
  for (const auto& [path, content] : f.files) {
    fs::create_directories((root / path).parent_path());
    std::ofstream(root / path) << content;
  }
  // Fake devices; the prompt is bypassed (media.navigator.permission.disabled),
  // so Permissions (Camera/Microphone) are not compared here (README.md).
  std::ofstream(profile / "user.js") << "user_pref(\"media.navigator.streams.fake\", true);\n"
                                        "user_pref(\"media.navigator.permission.disabled\", true);\n";
  const std::string distribution = fs::canonical("/usr/lib/firefox-esr/distribution").string();
  fs::remove(server.results() / f.name);
  const std::string command =
      "unshare -m sh -c 'mount --make-rprivate / && mount --bind " + (root / "usr/lib/firefox-esr/distribution").string() +
      " " + distribution + " && mount -t overlay overlay -o lowerdir=/etc,upperdir=" + (root / "etc").string() +
      ",workdir=" + work.string() + " /etc && exec timeout 60 firefox-esr --headless --no-remote --profile " +
      profile.string() + " --screenshot " + (base / "shot.png").string() + " \"" + server.origin() + "/?case=" + f.name +
      "\"' >/dev/null 2>&1";
  std::map<std::string, std::string> seen;
  seen["exit"] = std::to_string(std::system(command.c_str()));
  const std::string report = slurp(server.results() / f.name);
  if (report.empty()) seen["js"] = "no";
  std::istringstream words(report);
  for (std::string word; words >> word;) {
    const auto eq = word.find('=');
    if (eq != std::string::npos) seen[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return seen;
}

TEST(BrowserFirefoxOracle, PreferenceVerdictsAgreeWithFirefoxEsr) {
  std::string why;
  if (!firefox_usable(&why)) GTEST_SKIP() << why;
  const fs::path base = fixture_dir("oracle");
  fs::create_directories(base);
  ProbeServer server(base);
  ASSERT_TRUE(server.running()) << "python3 probe server did not start";
  const std::string dist = "usr/lib/firefox-esr/distribution/policies.json";
  const std::string pc_off = R"({"policies": {"Preferences": {"media.peerconnection.enabled": {"Value": false, "Status": "locked"}}}})";
  const std::vector<Fixture> fixtures = {
      {"ff_none", {}},
      {"ff_policy_pc_off", {{dist, pc_off}}},
      {"ff_policy_navigator_off_only", {{dist, R"({"policies": {"Preferences": {"media.navigator.enabled": false}}}})"}}},
      {"ff_policy_both_off", {{dist, R"({"policies": {"Preferences": {"media.navigator.enabled": false, "media.peerconnection.enabled": false}}}})"}}},
      {"ff_debian_etc_pref", {{"etc/firefox-esr/zz-clinic.js", "pref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_policy_comment_ignored", {{dist, "// strict JSON\n" + pc_off}}},
      {"ff_system_file_replaces_distribution", {{"etc/firefox/policies/policies.json", R"({"policies": {}})"}, {dist, pc_off}}},
      {"ff_system_file", {{"etc/firefox/policies/policies.json", pc_off}}},
      {"ff_esr_policies_dir_not_read", {{"etc/firefox-esr/policies/policies.json", pc_off}}},
      {"ff_relay_only", {{dist, R"({"policies": {"Preferences": {"media.peerconnection.ice.relay_only": true}}}})"}}},
  };
  for (const auto& f : fixtures) {
    SCOPED_TRACE(f.name);
    const auto seen = run_firefox(server, f, base / f.name);
    RootFs root(base / f.name / "root");
    const auto config = load_firefox_config(root, "firefox-esr", "/usr/lib/firefox-esr");
    bool pc = true, media_devices = true, udp = true;
    for (const auto& finding : judge_firefox_config(config, {server.origin()})) {
      if (finding.impact == Impact::degrades) udp = false;
      if (finding.what.find("RTCPeerConnection removed") != std::string::npos) pc = false;
      if (finding.what.find("getUserMedia removed") != std::string::npos) media_devices = false;
    }
    std::string observed;
    for (const auto& [k, v] : seen) observed += k + "=" + v + " ";
    ASSERT_EQ(seen.count("pc"), 1u) << observed;
    EXPECT_EQ(seen.at("pc") == "function", pc) << observed;
    EXPECT_EQ(seen.at("md") == "yes", media_devices) << observed;
    if (pc) {
      ASSERT_EQ(seen.count("udphost"), 1u) << observed;
      EXPECT_EQ(seen.at("udphost") != "0", udp) << observed;
    }
  }
}

// Versions: the inventory of this machine against the browsers' own --version.
TEST(BrowserChromiumOracle, InventoryVersionsMatchTheInstalledBrowsers) {
  RootFs live("/");
  const auto browsers = find_browsers(live);
  int checked = 0;
  for (const auto& [package, binary] : {std::pair<std::string, std::string>{"chromium", "chromium"}, {"firefox-esr", "firefox-esr"}}) {
    if (!fs::exists("/usr/bin/" + binary)) continue;
    const std::string said = command_output(binary + " --version 2>/dev/null");
    // "Chromium 156.0.8078.108 built on Debian..." / "Mozilla Firefox 153.8.0esr"
    const auto digit = said.find_first_of("0123456789");
    ASSERT_NE(digit, std::string::npos) << said;
    const auto theirs = numeric_version(said.substr(digit));
    bool found = false;
    for (const auto& b : browsers) {
      if (b.source != "deb" || b.package != package) continue;
      found = true;
      EXPECT_TRUE(b.error.empty()) << b.error;
      EXPECT_EQ(compare_versions(*numeric_version(b.version), *theirs), 0) << b.version << " vs " << said;
    }
    EXPECT_TRUE(found) << package << " is installed but not in the inventory";
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "neither chromium nor firefox-esr is installed";
}

}  // namespace
}  // namespace clinic_audit::browser
