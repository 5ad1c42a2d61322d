// What Chromium itself says is in force (chrome://policy, read through the
// DevTools protocol by oracle/policy_state.py) against what our model reads
// from the same fixture files (issue #14 item 4): the set of policies, their
// values and levels, the values each one overrode ("conflicts"), the type
// errors, and the files Chromium rejects. How: tests/README.md.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "browser/chromium_policy.hpp"
#include "oracle_harness.hpp"

namespace clinic_audit::browser {
namespace {

using namespace oracle;
using testing::fixture_dir;

const std::string M = "etc-chromium/policies/managed/";
const std::string R = "etc-chromium/policies/recommended/";

std::vector<Fixture> page_fixtures() {
  return {
      {"page_video_off", {{M + "a.json", R"({"VideoCaptureAllowed": false})"}}},
      // Three files Chromium rejects (a syntax error, a '#' comment, a top-level array) and one it reads.
      {"page_rejected_files",
       {{M + "a.json", "{\"VideoCaptureAllowed\": false\n"},
        {M + "b.json", R"({"AudioCaptureAllowed": false})"},
        {M + "c.json", "{\"VideoCaptureAllowed\": false} # no\n"},
        {M + "d.json", R"([{"VideoCaptureAllowed": false}])"}}},
      // Accepted: comments, a trailing comma; a duplicate key keeps its last value (no conflict shown).
      {"page_comments_and_duplicate_key",
       {{M + "a.json", "// clinic\n{ /* camera */ \"VideoCaptureAllowed\": false, }\n"},
        {M + "b.json", R"({"AudioCaptureAllowed": false, "AudioCaptureAllowed": true})"}}},
      {"page_wrong_types",
       {{M + "a.json", R"({"VideoCaptureAllowed": "false", "DefaultJavaScriptSetting": 2.0, "WebRtcIPHandling": 3})"}}},
      {"page_mandatory_beats_recommended",
       {{M + "a.json", R"({"AudioCaptureAllowed": true})"},
        {R + "a.json", R"({"AudioCaptureAllowed": false, "VideoCaptureAllowed": false})"}}},
      {"page_wrong_type_mandatory_hides_recommended",
       {{M + "a.json", R"({"AudioCaptureAllowed": "false"})"}, {R + "a.json", R"({"AudioCaptureAllowed": false})"}}},
      {"page_later_file_wins",
       {{M + "a.json", R"({"VideoCaptureAllowed": false, "AudioCaptureAllowed": false})"},
        {M + "b.json", R"({"VideoCaptureAllowed": true})"},
        {M + ".hidden", R"({"AudioCaptureAllowed": true})"}}},
      {"page_lists_and_unknown",
       {{M + "a.json",
         R"({"VideoCaptureAllowedUrls": ["ORIGIN", "[*.]example.org"], "WebRtcIPHandlingUrl":
             [{"url": "*", "handling": "disable_non_proxied_udp"}], "NoSuchPolicyClinicAudit": 1})"}}},
      // No error shown for these (schema type right, value out of range or list item of another type).
      {"page_values_out_of_range",
       {{M + "a.json",
         R"({"VideoCaptureAllowedUrls": [1, "ORIGIN"], "WebRtcIPHandling": "bogus", "DefaultMediaStreamSetting": 7,
             "WebRtcIPHandlingUrl": [{"url": "*"}]})"}}},
  };
}

// Runs oracle/policy_state.py where /etc/chromium is the fixture's etc-chromium/.
std::string chromium_policy_state(const Fixture& f, const fs::path& base, const std::string& origin) {
  const fs::path etc = base / "etc-chromium", profile = base / "profile", out = base / "state.json";
  fs::remove_all(base);
  fs::create_directories(etc / "policies/managed");
  fs::create_directories(etc / "policies/recommended");
  write_tree(base, f, origin);
  const std::string script = (testing::source_dir() / "checks/browser/tests/oracle/policy_state.py").string();
  const std::string command = "unshare -m sh -c 'mount --make-rprivate / && mount --bind " + etc.string() +
                              " /etc/chromium && exec timeout 30 python3 " + script + " " + profile.string() + "' >" +
                              out.string() + " 2>" + (base / "state.err").string();
  if (std::system(command.c_str()) != 0) return "";
  return slurp(out);
}

// JSON equality; numbers by value (the page's JSON.stringify writes 2.0 as 2).
bool same_json(const JsonValue& a, const JsonValue& b) {
  const auto number = [](const JsonValue& v) { return v.is_int() ? static_cast<double>(v.integer) : v.real; };
  const bool a_number = a.is_int() || a.kind == JsonValue::Kind::real;
  const bool b_number = b.is_int() || b.kind == JsonValue::Kind::real;
  if (a_number || b_number) return a_number && b_number && number(a) == number(b);
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case JsonValue::Kind::null: return true;
    case JsonValue::Kind::boolean: return a.boolean == b.boolean;
    case JsonValue::Kind::string: return a.string == b.string;
    case JsonValue::Kind::array:
      if (a.array->size() != b.array->size()) return false;
      for (std::size_t i = 0; i < a.array->size(); ++i)
        if (!same_json((*a.array)[i], (*b.array)[i])) return false;
      return true;
    case JsonValue::Kind::object: {
      if (a.object->size() != b.object->size()) return false;
      for (const auto& [key, value] : *a.object) {
        const JsonValue* other = b.find(key);
        if (!other || !same_json(value, *other)) return false;
      }
      return true;
    }
    default: return false;
  }
}

std::string text_of(const JsonValue* v) { return v && v->is_string() ? v->string : ""; }

// Every (level, value) the fixture's files give `name`, read by our parser
// file by file (a file that does not parse gives nothing): what Chromium
// shows as the applied value plus its "conflicts".
std::vector<std::pair<std::string, JsonValue>> settings_in_files(const Fixture& f, const std::string& name,
                                                                 const std::string& origin) {
  std::vector<std::pair<std::string, JsonValue>> out;
  for (const auto& [path, content] : f.files) {
    const std::string level = path.rfind(M, 0) == 0 ? "mandatory" : "recommended";
    try {
      const JsonValue root = parse_json(with_origin(content, origin), JsonDialect::chromium());
      if (const JsonValue* v = root.is_object() ? root.find(name) : nullptr) out.emplace_back(level, *v);
    } catch (const JsonError&) {
    }
  }
  return out;
}

TEST(BrowserChromiumOracle, PolicyPageAgreesWithTheModel) {
  if (!fs::exists("/usr/bin/chromium") || !fs::is_directory("/etc/chromium") || geteuid() != 0)
    GTEST_SKIP() << "needs Debian's chromium, /etc/chromium and root (mount namespace)";
  const fs::path base = fixture_dir("oracle-policy-page");
  const std::string origin = "http://127.0.0.1:8";  // only written into list values: nothing is served
  int compared = 0;
  for (const auto& f : page_fixtures()) {
    SCOPED_TRACE(f.name);
    const std::string text = chromium_policy_state(f, base / f.name, origin);
    ASSERT_FALSE(text.empty()) << "policy_state.py failed: " << slurp(base / f.name / "state.err");
    const JsonValue state = parse_json(text, JsonDialect{});
    const JsonValue* reported = state.find("policies");
    const JsonValue* logs = state.find("logs");
    ASSERT_TRUE(reported && reported->is_object() && logs && logs->is_array()) << text;

    RootFs root(base / f.name);
    const ChromiumPolicies model = load_chromium_policies(root, "/etc-chromium/policies");
    std::set<std::string> wrong_type_in_model;
    for (const auto& finding : judge_chromium_policies(model, {origin})) {
      const auto at = finding.what.find(" has the wrong type");
      if (at != std::string::npos) wrong_type_in_model.insert(finding.what.substr(0, at));
    }

    // The same policies are in force, with the same value and level.
    std::set<std::string> names_reported, names_model;
    for (const auto& [name, entry] : *reported->object) names_reported.insert(name);
    for (const auto& [name, value] : model.values) names_model.insert(name);
    EXPECT_EQ(names_reported, names_model) << text;
    for (const auto& [name, entry] : *reported->object) {
      SCOPED_TRACE(name);
      const auto ours = model.values.find(name);
      if (ours == model.values.end()) continue;
      const JsonValue* value = entry.find("value");
      ASSERT_NE(value, nullptr) << text;
      EXPECT_TRUE(same_json(*value, ours->second.value)) << value->brief() << " vs " << ours->second.value.brief();
      EXPECT_EQ(text_of(entry.find("level")), ours->second.mandatory ? "mandatory" : "recommended");
      EXPECT_EQ(text_of(entry.find("source")), "platform");
      // A type error of Chromium ("Expected boolean value.") is a value our check calls ignored.
      const std::string error = text_of(entry.find("error"));
      const bool type_error = error.rfind("Expected ", 0) == 0;
      EXPECT_EQ(type_error, wrong_type_in_model.count(name) == 1) << error;
      // Any other error is one the comparison does not know yet: look at it.
      if (!error.empty() && !type_error) {
        EXPECT_EQ(error, "Unknown policy.");
      }
      // The applied value plus the ones it overrode are every value the files give (same levels).
      std::multiset<std::string> seen, in_files;
      seen.insert(text_of(entry.find("level")) + " " + value->brief());
      if (const JsonValue* conflicts = entry.find("conflicts"); conflicts && conflicts->is_array()) {
        for (const auto& c : *conflicts->array) {
          const JsonValue* v = c.find("value");
          seen.insert(text_of(c.find("level")) + " " + (v ? v->brief() : "?"));
        }
      }
      for (const auto& [level, v] : settings_in_files(f, name, origin)) {
        JsonValue as_reported = v;  // 2.0 is 2 once through JavaScript
        if (v.kind == JsonValue::Kind::real && v.real == static_cast<double>(static_cast<std::int64_t>(v.real)))
          as_reported = parse_json(std::to_string(static_cast<std::int64_t>(v.real)), JsonDialect{});
        in_files.insert(level + " " + as_reported.brief());
      }
      EXPECT_EQ(seen, in_files) << text;
    }
    for (const std::string& name : wrong_type_in_model)
      EXPECT_TRUE(reported->find(name) && text_of(reported->find(name)->find("error")).rfind("Expected ", 0) == 0)
          << name << " is of the wrong type for the model, not for Chromium: " << text;

    // A file Chromium rejects: its policy log says only that it found the
    // file, nothing about the error, and none of its values is in force (above).
    std::set<std::string> found_files;
    for (const auto& message : *logs->array) {
      const std::string m = message.is_string() ? message.string : "";
      for (const char* prefix : {"Found mandatory policy file: ", "Found recommended policy file: "})
        if (m.rfind(prefix, 0) == 0) found_files.insert(m.substr(std::string(prefix).size()));
    }
    for (const auto& [path, content] : f.files)
      EXPECT_TRUE(found_files.count("/etc/chromium" + path.substr(std::string("etc-chromium").size()))) << path;
    for (const auto& problem : model.problems) {
      if (problem.what.find("Chromium ignores this whole file") == std::string::npos) continue;
      std::string path = problem.evidence.path;
      path.replace(0, std::string("/etc-chromium").size(), "/etc/chromium");
      EXPECT_TRUE(found_files.count(path)) << path;
      for (const auto& message : *logs->array) {
        if (message.is_string() && message.string.rfind("Found ", 0) != 0) {
          EXPECT_EQ(message.string.find(path), std::string::npos) << message.string;
        }
      }
    }
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(page_fixtures().size()));
}

}  // namespace
}  // namespace clinic_audit::browser
