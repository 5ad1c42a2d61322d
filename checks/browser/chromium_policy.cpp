#include "chromium_policy.hpp"

namespace clinic_audit::browser {
namespace {

constexpr std::size_t kMaxPolicyFile = 1024 * 1024;

void load_level(const RootFs& fs, const std::string& dir, bool mandatory, ChromiumPolicies& out) {
  std::vector<DirEntry> entries;
  try {
    if (!fs.exists(dir)) return;
    entries = fs.list_dir(dir);  // byte order, as Chromium's std::set<base::FilePath>
  } catch (const FsError& e) {
    out.unreadable = true;
    out.problems.push_back({Impact::ignored, "policy directory unreadable", {dir, std::nullopt, e.what(), "readable"}, ""});
    return;
  }
  for (const auto& entry : entries) {
    const std::string path = dir + "/" + entry.name;
    std::string text;
    try {
      const auto info = fs.stat(path);
      if (!info || info->type != FileType::regular) continue;  // base::FileEnumerator::FILES
      text = fs.read_file(path, kMaxPolicyFile);
    } catch (const FsError& e) {
      out.unreadable = true;
      out.problems.push_back({Impact::ignored, "policy file unreadable", {path, std::nullopt, e.what(), "readable"}, ""});
      continue;
    }
    JsonValue root;
    try {
      root = parse_json(text, JsonDialect::chromium());
    } catch (const JsonError& e) {
      out.problems.push_back({Impact::ignored, "Chromium ignores this whole file: it does not parse",
                              {path, e.line(), std::string("JSON error: ") + e.what(), "a JSON object"},
                              "fix the JSON syntax of " + path});
      continue;
    }
    if (!root.is_object()) {
      out.problems.push_back({Impact::ignored, "Chromium ignores this whole file: its top level is not an object",
                              {path, root.line, root.brief(), "a JSON object"}, ""});
      continue;
    }
    for (const auto& [name, value] : *root.object) {
      auto it = out.values.find(name);
      if (it != out.values.end() && it->second.mandatory && !mandatory) continue;  // mandatory wins
      out.values[name] = {value, path, value.line, mandatory};
    }
  }
}

Evidence evidence_of(const std::string& name, const PolicyValue& v, std::string expected) {
  return {v.file, v.line, name + "=" + v.value.brief() + (v.mandatory ? " (mandatory)" : " (recommended)"),
          std::move(expected)};
}

// An allow-list policy: does one of its patterns match every origin?
bool allowed_by(const ChromiumPolicies& p, const std::string& list, const std::vector<std::string>& origins) {
  const auto it = p.values.find(list);
  if (it == p.values.end() || !it->second.value.is_array()) return false;
  for (const auto& origin : origins) {
    bool hit = false;
    for (const auto& item : *it->second.value.array) {
      if (item.is_string() && origin_matches(item.string, origin)) hit = true;
    }
    if (!hit) return false;
  }
  return true;
}

std::string fix_line(const PolicyValue& v, const std::string& name, const std::string& change) {
  return "in " + v.file + " line " + std::to_string(v.line) + ": " + change + " (\"" + name + "\")";
}

}  // namespace

std::string chromium_policy_dir(const std::string& id, const std::string& source) {
  // Ubuntu's chromium snap keeps the old package's directory (its snap plugs /etc/chromium-browser/policies).
  if (id == "chromium" && source == "snap") return "/etc/chromium-browser/policies";
  if (id == "chromium") return "/etc/chromium/policies";  // Debian's chromium (checked by the oracle test)
  if (id == "chrome") return "/etc/opt/chrome/policies";   // policy_templates, "Linux"
  if (id == "edge") return "/etc/opt/edge/policies";       // Microsoft Edge for Linux documentation
  if (id == "brave") return "/etc/brave/policies";         // Brave's policy documentation for Linux
  return "";  // Opera and Vivaldi: no documented Linux policy directory (not audited)
}

ChromiumPolicies load_chromium_policies(const RootFs& fs, const std::string& dir) {
  ChromiumPolicies out;
  load_level(fs, dir + "/managed", true, out);
  load_level(fs, dir + "/recommended", false, out);
  return out;
}

std::vector<Finding> judge_chromium_policies(const ChromiumPolicies& p, const std::vector<std::string>& origins) {
  std::vector<Finding> out = p.problems;
  auto get = [&](const std::string& name) -> const PolicyValue* {
    const auto it = p.values.find(name);
    return it == p.values.end() ? nullptr : &it->second;
  };
  auto wrong_type = [&](const std::string& name, const PolicyValue& v, const char* type) {
    out.push_back({Impact::ignored, name + " has the wrong type: Chromium ignores it",
                   evidence_of(name, v, std::string("a ") + type), ""});
  };
  // Boolean capture policies with their allow-lists (policy_templates:
  // AudioCaptureAllowed/AudioCaptureAllowedUrls, VideoCaptureAllowed/VideoCaptureAllowedUrls).
  struct Capture {
    const char* policy;
    const char* allow_list;
    const char* device;
  };
  for (const Capture c : {Capture{"VideoCaptureAllowed", "VideoCaptureAllowedUrls", "camera"},
                          Capture{"AudioCaptureAllowed", "AudioCaptureAllowedUrls", "microphone"}}) {
    const PolicyValue* v = get(c.policy);
    if (!v) continue;
    if (!v->value.is_bool()) {
      wrong_type(c.policy, *v, "boolean");
    } else if (!v->value.boolean) {
      if (allowed_by(p, c.allow_list, origins)) {
        out.push_back({Impact::info, std::string(c.policy) + "=false but the e-KerMed origins are in " + c.allow_list,
                       evidence_of(c.policy, *v, "true, or the origins in " + std::string(c.allow_list)), ""});
      } else {
        out.push_back({Impact::breaks_audio_video, std::string(c.device) + " blocked by " + c.policy,
                       evidence_of(c.policy, *v, "true, or the origins in " + std::string(c.allow_list)),
                       fix_line(*v, c.policy, "remove it, or add the e-KerMed origins to \"" + std::string(c.allow_list) + "\"")});
      }
    }
  }
  // DefaultMediaStreamSetting: 2 = block camera and microphone (deprecated in the
  // policy list, still honoured when set).
  if (const PolicyValue* v = get("DefaultMediaStreamSetting")) {
    if (!v->value.is_int()) wrong_type("DefaultMediaStreamSetting", *v, "integer");
    else if (v->value.integer == 2)
      out.push_back({Impact::breaks_audio_video, "camera and microphone blocked by DefaultMediaStreamSetting=2",
                     evidence_of("DefaultMediaStreamSetting", *v, "absent or 3 (ask)"),
                     fix_line(*v, "DefaultMediaStreamSetting", "remove it")});
  }
  // JavaScript off: the consultation page cannot run at all.
  if (const PolicyValue* v = get("DefaultJavaScriptSetting")) {
    if (!v->value.is_int()) wrong_type("DefaultJavaScriptSetting", *v, "integer");
    else if (v->value.integer == 2 && !allowed_by(p, "JavaScriptAllowedForUrls", origins))
      out.push_back({Impact::breaks_audio_video, "JavaScript blocked by DefaultJavaScriptSetting=2",
                     evidence_of("DefaultJavaScriptSetting", *v, "1, or the origins in JavaScriptAllowedForUrls"),
                     fix_line(*v, "DefaultJavaScriptSetting", "add the e-KerMed origins to \"JavaScriptAllowedForUrls\"")});
  }
  // The consultation page itself blocked (URLBlocklist, URLAllowlist as exceptions).
  if (const PolicyValue* v = get("URLBlocklist"); v && v->value.is_array()) {
    const PolicyValue* allow = get("URLAllowlist");
    for (const auto& origin : origins) {
      bool blocked = false, allowed = false;
      for (const auto& item : *v->value.array) blocked = blocked || (item.is_string() && url_filter_matches(item.string, origin));
      if (allow && allow->value.is_array()) {
        for (const auto& item : *allow->value.array) allowed = allowed || (item.is_string() && url_filter_matches(item.string, origin));
      }
      if (!blocked || allowed) continue;
      out.push_back({Impact::breaks_audio_video, "the e-KerMed page itself blocked by URLBlocklist (" + origin + ")",
                     evidence_of("URLBlocklist", *v, origin + " not blocked, or in URLAllowlist"),
                     fix_line(*v, "URLBlocklist", "add \"" + origin + "\" to \"URLAllowlist\"")});
      break;
    }
  }
  // Screen sharing: ScreenCaptureAllowed=false, unless an origin list lets the
  // e-KerMed origins capture (ScreenCaptureAllowedByOrigins, WindowCaptureAllowedByOrigins).
  if (const PolicyValue* v = get("ScreenCaptureAllowed")) {
    if (!v->value.is_bool()) wrong_type("ScreenCaptureAllowed", *v, "boolean");
    else if (!v->value.boolean && !allowed_by(p, "ScreenCaptureAllowedByOrigins", origins) &&
             !allowed_by(p, "WindowCaptureAllowedByOrigins", origins))
      out.push_back({Impact::breaks_screen_share, "screen capture blocked by ScreenCaptureAllowed",
                     evidence_of("ScreenCaptureAllowed", *v, "true, or the origins in ScreenCaptureAllowedByOrigins"),
                     fix_line(*v, "ScreenCaptureAllowed", "add the e-KerMed origins to \"ScreenCaptureAllowedByOrigins\"")});
  }
  // WebRtcIPHandling: disable_non_proxied_udp leaves media only through a
  // proxy (TCP/TLS TURN): the seed's case 2, degraded video.
  if (const PolicyValue* v = get("WebRtcIPHandling")) {
    if (!v->value.is_string()) wrong_type("WebRtcIPHandling", *v, "string");
    else if (v->value.string == "disable_non_proxied_udp")
      out.push_back({Impact::degrades, "WebRTC UDP disabled (WebRtcIPHandling=disable_non_proxied_udp): seed case 2",
                     evidence_of("WebRtcIPHandling", *v, "default or default_public_interface_only"),
                     fix_line(*v, "WebRtcIPHandling", "set \"default_public_and_private_interfaces\" or remove it")});
  }
  if (const PolicyValue* v = get("WebRtcUdpPortRange")) {
    out.push_back({Impact::info, "WebRTC UDP ports restricted (for the firewall check)",
                   evidence_of("WebRtcUdpPortRange", *v, "a range the firewall opens"), ""});
  }
  return out;
}

}  // namespace clinic_audit::browser
