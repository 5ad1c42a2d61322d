// Debian's firefox-esr is the oracle of the Firefox model (issue #14 item 4):
// policies.json, /etc/firefox-esr/*.js, autoconfig, the permission
// preferences. For each fixture (a root tree overlaid on /etc and on the
// install directory), what the probe page could do must equal what
// judge_firefox_config() says on the same tree.
#include <gtest/gtest.h>

#include "browser/firefox_policy.hpp"
#include "oracle_harness.hpp"

namespace clinic_audit::browser {
namespace {

using namespace oracle;
using testing::fixture_dir;

bool firefox_usable(std::string* why) {
  if (!fs::exists("/usr/bin/firefox-esr")) return *why = "Debian's firefox-esr is not installed", false;
  if (!fs::is_directory("/usr/lib/firefox-esr")) return *why = "no /usr/lib/firefox-esr", false;
  if (geteuid() != 0) return *why = "needs root (mount namespace)", false;
  return true;
}

// An autoconfig file as admins obscure it: every byte plus `shift`.
std::string obscured(const std::string& text, int shift) {
  std::string out = text;
  for (char& c : out) c = static_cast<char>(static_cast<unsigned char>(c) + shift);
  return out;
}

const std::string kDist = "usr/lib/firefox-esr/distribution/policies.json";
const std::string kSystem = "etc/firefox/policies/policies.json";
const std::string kEtcPref = "etc/firefox-esr/zz-clinic.js";
const std::string kGrePref = "usr/lib/firefox-esr/defaults/pref/autoconfig.js";
const std::string kCfg = "usr/lib/firefox-esr/clinic.cfg";
const std::string kPcOff =
    R"({"policies": {"Preferences": {"media.peerconnection.enabled": {"Value": false, "Status": "locked"}}}})";
const std::string kAutoconfigPlain =
    "pref(\"general.config.filename\", \"clinic.cfg\");\npref(\"general.config.obscure_value\", 0);\n";

std::vector<Fixture> firefox_fixtures() {
  std::vector<Fixture> out = {
      {"ff_none", {}},
      {"ff_policy_pc_off", {{kDist, kPcOff}}},
      {"ff_policy_navigator_off_only",
       {{kDist, R"({"policies": {"Preferences": {"media.navigator.enabled": false}}}})"}}},
      {"ff_policy_both_off",
       {{kDist,
         R"({"policies": {"Preferences": {"media.navigator.enabled": false, "media.peerconnection.enabled": false}}}})"}}},
      {"ff_debian_etc_pref", {{kEtcPref, "pref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_policy_comment_ignored", {{kDist, "// strict JSON\n" + kPcOff}}},
      {"ff_system_file_replaces_distribution", {{kSystem, R"({"policies": {}})"}, {kDist, kPcOff}}},
      {"ff_system_file", {{kSystem, kPcOff}}},
      {"ff_esr_policies_dir_not_read", {{"etc/firefox-esr/policies/policies.json", kPcOff}}},
      {"ff_relay_only", {{kDist, R"({"policies": {"Preferences": {"media.peerconnection.ice.relay_only": true}}}})"}}},
      {"ff_getdisplaymedia_off", {{kEtcPref, "pref(\"media.getdisplaymedia.enabled\", false);\n"}}},
      // Bad preference files (issue item 6).
      {"ff_fifo_pref", {{kEtcPref, "FIFO"}}, false, false, 12},
      // A syntax error skips to the next ';' (libpref's error recovery).
      {"ff_pref_syntax_error_recovers",
       {{kEtcPref, "pref(\"a\" 1);\npref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_pref_syntax_error_swallows_next",
       {{kEtcPref, "pref(\"a\" 1)\npref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_lockpref_in_pref_file", {{kEtcPref, "lockPref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_defaultpref_in_pref_file", {{kEtcPref, "defaultPref(\"media.peerconnection.enabled\", false);\n"}}},
      // Autoconfig: general.config.filename in the install's defaults/pref, the .cfg at the install root.
      {"ff_autoconfig_lockpref",
       {{kGrePref, kAutoconfigPlain}, {kCfg, "// first line\nlockPref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_autoconfig_obscured",
       {{kGrePref, "pref(\"general.config.filename\", \"clinic.cfg\");\n"},
        {kCfg, obscured("// first line\nlockPref(\"media.peerconnection.enabled\", false);\n", 13)}}},
      {"ff_autoconfig_first_line_skipped",
       {{kGrePref, kAutoconfigPlain}, {kCfg, "lockPref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_autoconfig_beats_etc_lock",
       {{kEtcPref, "pref(\"media.peerconnection.enabled\", false, locked);\n"},
        {kGrePref, kAutoconfigPlain},
        {kCfg, "//\nlockPref(\"media.peerconnection.enabled\", true);\n"}}},
      {"ff_autoconfig_missing_cfg", {{kGrePref, kAutoconfigPlain}}, false, false, 20},
      // A user's own pref (the profile's user.js) loses to the .cfg, whether lockPref() or
      // pref(): the .cfg runs after the user's files and sets their value again at every start.
      {"ff_autoconfig_lockpref_beats_user_pref",
       {{kGrePref, kAutoconfigPlain},
        {kCfg, "//\nlockPref(\"media.peerconnection.enabled\", false);\n"},
        {kProfileUserJs, "user_pref(\"media.peerconnection.enabled\", true);\n"}}},
      {"ff_autoconfig_pref_beats_user_pref",
       {{kGrePref, kAutoconfigPlain},
        {kCfg, "//\npref(\"media.peerconnection.enabled\", false);\n"},
        {kProfileUserJs, "user_pref(\"media.peerconnection.enabled\", true);\n"}}},
      // general.config.obscure_value <= 0: the bytes are read as they are.
      {"ff_autoconfig_negative_obscure",
       {{kGrePref, "pref(\"general.config.filename\", \"clinic.cfg\");\npref(\"general.config.obscure_value\", -3);\n"},
        {kCfg, "//\nlockPref(\"media.peerconnection.enabled\", false);\n"}}},
      // general.config.vendor must match the file name without ".cfg", or Firefox quits.
      {"ff_autoconfig_vendor_mismatch",
       {{kGrePref, kAutoconfigPlain + "pref(\"general.config.vendor\", \"other\");\n"},
        {kCfg, "//\nlockPref(\"media.peerconnection.enabled\", true);\n"}},
       false,
       false,
       20},
      {"ff_autoconfig_vendor_set_by_cfg",
       {{kGrePref, kAutoconfigPlain},
        {kCfg,
         "//\nlockPref(\"general.config.vendor\", \"clinic\");\nlockPref(\"media.peerconnection.enabled\", false);\n"}}},
      {"ff_autoconfig_named_in_etc",
       {{kEtcPref, kAutoconfigPlain}, {kCfg, "//\nlockPref(\"media.peerconnection.enabled\", false);\n"}}},
  };
  // Without the prompt bypass: refused at once (blocked) or pending (a human is asked).
  // One device per fixture: Firefox queues a second request behind a pending prompt.
  const std::vector<Fixture> prompted = {
      {"ff_prompt_none", {}},
      {"ff_prompt_none_audio", {}, false, false, 60, "", "&only=audio"},
      {"ff_camera_default_block", {{kEtcPref, "pref(\"permissions.default.camera\", 2);\n"}}},
      {"ff_microphone_default_block",
       {{kEtcPref, "pref(\"permissions.default.microphone\", 2);\n"}},
       false,
       false,
       60,
       "",
       "&only=audio"},
      {"ff_camera_deny_pref", {{kEtcPref, "pref(\"media.getusermedia.camera.deny\", true);\n"}}},
      {"ff_microphone_deny_pref",
       {{kEtcPref, "pref(\"media.getusermedia.microphone.deny\", true);\n"}},
       false,
       false,
       60,
       "",
       "&only=audio"},
      {"ff_policy_camera_block_new",
       {{kSystem, R"({"policies": {"Permissions": {"Camera": {"BlockNewRequests": true}}}})"}}},
      {"ff_policy_camera_block_new_origin_allowed",
       {{kSystem, R"({"policies": {"Permissions": {"Camera": {"BlockNewRequests": true, "Allow": ["ORIGIN"]}}}})"}}},
  };
  for (Fixture f : prompted) {
    f.prompt = true;
    if (f.query.empty()) f.query = "&only=video";
    out.push_back(f);
  }
  // Permissions' origin lists are applied when the browser UI starts: not
  // with --screenshot, so these open a headless window (killed after 10 s).
  const std::vector<Fixture> windowed = {
      {"ff_window_permissions_camera_block",
       {{kSystem, R"({"policies": {"Permissions": {"Camera": {"Block": ["ORIGIN"]}}}})"}}},
      {"ff_window_permissions_camera_block_other",
       {{kSystem, R"({"policies": {"Permissions": {"Camera": {"Block": ["https://example.org"]}}}})"}}},
      {"ff_window_permissions_microphone_block",
       {{kSystem, R"({"policies": {"Permissions": {"Microphone": {"Block": ["ORIGIN"]}}}})"}},
       false,
       false,
       10,
       "",
       "&only=audio"},
  };
  for (Fixture f : windowed) {
    f.prompt = true;
    f.window = true;
    f.timeout = 10;
    if (f.query.empty()) f.query = "&only=video";
    out.push_back(f);
  }
  if (const char* only = std::getenv("CA_ORACLE_ONLY")) {  // a development aid: the fixtures whose name has it
    std::erase_if(out, [&](const Fixture& f) { return f.name.find(only) == std::string::npos; });
  }
  return out;
}

TEST(BrowserFirefoxOracle, PreferenceVerdictsAgreeWithFirefoxEsr) {
  std::string why;
  if (!firefox_usable(&why)) GTEST_SKIP() << why;
  const fs::path base = fixture_dir("oracle");
  fs::create_directories(base);
  ProbeServer server(base);
  ASSERT_TRUE(server.running()) << "python3 probe server did not start";
  const auto fixtures = firefox_fixtures();
  for (const auto& f : fixtures) {
    SCOPED_TRACE(f.name);
    const auto seen = run_firefox(server, f, base / f.name);
    RootFs root(base / f.name / "root");
    // The check reads no profile (tests/README.md): a fixture's user.js is seen by Firefox only.
    const auto config = load_firefox_config(root, "firefox-esr", "/usr/lib/firefox-esr");
    bool starts = true, pc = true, media_devices = true, udp = true, video = true, audio = true, display = true;
    for (const auto& finding : judge_firefox_config(config, {server.origin()})) {
      const auto has = [&](const char* part) { return finding.what.find(part) != std::string::npos; };
      if (finding.impact == Impact::degrades) udp = false;
      if (has("FIFO") || has("Firefox quits at startup")) starts = false;
      if (has("RTCPeerConnection removed")) pc = false;
      if (has("getUserMedia removed")) media_devices = false;
      if (has("getDisplayMedia removed")) display = false;
      if (finding.impact == Impact::breaks_audio_video && has("camera")) video = false;
      if (finding.impact == Impact::breaks_audio_video && has("microphone")) audio = false;
    }
    const std::string observed = describe(seen);
    ASSERT_EQ(seen.count("pc") == 1, starts) << observed;
    if (!starts) continue;
    EXPECT_EQ(seen.at("pc") == "function", pc) << observed;
    EXPECT_EQ(seen.at("md") == "yes", media_devices) << observed;
    if (media_devices) {
      EXPECT_EQ(seen.at("gdm") == "function", display) << observed;
    }
    if (pc) {
      ASSERT_EQ(seen.count("udphost"), 1u) << observed;
      EXPECT_EQ(seen.at("udphost") != "0", udp) << observed;
    }
    if (f.prompt) {
      // Blocked: refused at once; otherwise the request waits for a human.
      const std::string device = f.query == "&only=audio" ? "audio" : "video";
      const bool allowed = device == "audio" ? audio : video;
      ASSERT_EQ(seen.count(device), 1u) << observed;
      EXPECT_EQ(seen.at(device) != "NotAllowedError", allowed) << observed;
      if (allowed) {
        EXPECT_TRUE(seen.at(device) == "pending" || seen.at(device) == "granted") << observed;
      }
    } else if (media_devices && video) {
      EXPECT_EQ(seen.at("video"), "granted") << observed;
    }
  }
}

}  // namespace
}  // namespace clinic_audit::browser
