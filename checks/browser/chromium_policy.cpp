#include "chromium_policy.hpp"
#include "i18n.hpp"

namespace clinic_audit::browser {
namespace {

constexpr std::size_t kMaxPolicyFile = 1024 * 1024;

void load_level(const RootFs& fs, const std::string& dir, bool mandatory, ChromiumPolicies& out) {
  std::vector<DirEntry> entries;
  try {
    if (!fs.exists(dir)) return;
    entries = fs.list_dir(dir);  // byte order, as Chromium's std::set<base::FilePath>
    if (mandatory && !entries.empty()) out.last_managed_name = entries.back().name;
  } catch (const FsError& e) {
    out.unreadable = true;
    out.problems.push_back(
        {Impact::ignored, _("policy directory unreadable"), {dir, std::nullopt, e.what(), _("readable")}, ""});
    return;
  }
  for (const auto& entry : entries) {
    const std::string path = dir + "/" + entry.name;
    std::string text;
    try {
      const auto info = fs.stat(path);
      if (!info) {  // a dangling symlink: stat fails, Chromium's enumerator skips it (oracle: dangling_symlink)
        out.problems.push_back(
            {Impact::ignored,
             _("dangling symlink: Chromium skips it"),
             {path, std::nullopt, tr("symlink to {0} (absent in the audited root)", fs.read_link(path)),
              _("a JSON file")},
             ""});
        continue;
      }
      if (info->type == FileType::directory) continue;  // base::FileEnumerator::FILES
      if (info->type == FileType::fifo) {
        // FileEnumerator::FILES is "not a directory": Chromium opens the FIFO
        // and waits for a writer at startup; checked against Debian's chromium
        // (oracle fixture fifo_hangs): it never loads a page.
        out.problems.push_back(
            {Impact::breaks_audio_video,
             _("a FIFO in the policy directory: Chromium waits on it at startup and never opens a page"),
             {path, std::nullopt, "FIFO", _("regular JSON files only")},
             tr("remove the FIFO {0} from the policy directory", path)});
        continue;
      }
      if (info->type != FileType::regular) {
        out.unreadable = true;
        out.problems.push_back(
            {Impact::ignored,
             _("policy entry is not a regular file: not evaluated"),
             {path, std::nullopt, std::string(_(to_string(info->type).data())), _("regular JSON files only")},
             ""});
        continue;
      }
      // The browser runs as the desktop user: a file others cannot read is
      // read only by its owner and group (Chromium skips a file it cannot
      // read). Reported, the verdict unchanged: who runs the browser is not known here.
      if ((info->mode & 04) == 0) {
        std::string mode = "0000";
        for (std::size_t i = 0; i < 4; ++i) mode[3 - i] = static_cast<char>('0' + ((info->mode >> (3 * i)) & 07));
        out.problems.push_back(
            {Impact::info,
             _("policy file not readable by other users: a browser run by a user outside its owner and group "
               "cannot read it and ignores it"),
             {path, std::nullopt, tr("mode {0}, owner uid {1}, group gid {2}", mode, info->uid, info->gid),
              _("readable by the desktop users (e.g. 0644)")},
             ""});
      }
      if (entry.type == FileType::symlink && info->path != path) {
        out.problems.push_back({Impact::info,
                                _("policy file is a symlink (read inside the audited root)"),
                                {path, std::nullopt, "symlink to " + info->path, _("a JSON file")},
                                ""});
      }
      text = fs.read_file(path, kMaxPolicyFile);
    } catch (const FsError& e) {
      out.unreadable = true;
      out.problems.push_back(
          {Impact::ignored, _("policy file unreadable"), {path, std::nullopt, e.what(), _("readable")}, ""});
      continue;
    }
    JsonValue root;
    try {
      root = parse_json(text, JsonDialect::chromium());
    } catch (const JsonError& e) {
      out.problems.push_back({Impact::ignored,
                              _("Chromium ignores this whole file: it does not parse"),
                              {path, e.line(), std::string(_("JSON error: ")) + e.what(), _("a JSON object")},
                              tr("fix the JSON syntax of {0}", path)});
      continue;
    }
    if (!root.is_object()) {
      out.problems.push_back({Impact::ignored,
                              _("Chromium ignores this whole file: its top level is not an object"),
                              {path, root.line, root.brief(), _("a JSON object")},
                              ""});
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
  return {v.file, v.line, name + "=" + v.value.brief() + (v.mandatory ? _(" (mandatory)") : _(" (recommended)")),
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

// The most specific pattern of list policy `list` matching `origin`; nullopt when none.
std::optional<std::array<int, 4>> best_match(const ChromiumPolicies& p, const std::string& list,
                                             const std::string& origin) {
  const auto it = p.values.find(list);
  if (it == p.values.end() || !it->second.value.is_array()) return std::nullopt;
  std::optional<std::array<int, 4>> best;
  for (const auto& item : *it->second.value.array) {
    if (!item.is_string() || !origin_matches(item.string, origin)) continue;
    const auto rank = pattern_specificity(item.string);
    if (!best || rank > *best) best = rank;
  }
  return best;
}

}  // namespace

bool javascript_blocked_for(const ChromiumPolicies& p, const std::string& origin) {
  const auto block = best_match(p, "JavaScriptBlockedForUrls", origin);
  if (!block) return false;
  const auto allow = best_match(p, "JavaScriptAllowedForUrls", origin);
  return !allow || *allow <= *block;
}

namespace {

std::string fix_line(const PolicyValue& v, const std::string& name, const std::string& change) {
  return tr("in {0} line {1}: {2} (\"{3}\")", v.file, v.line, change, name);
}

// Screen sharing (getDisplayMedia). chrome/browser/media/webrtc/
// capture_policy_utils.cc, GetAllowedCaptureLevel: the origin lists are
// tried from the most restrictive to the least (SameOriginTabCaptureAllowedByOrigins,
// TabCaptureAllowedByOrigins, WindowCaptureAllowedByOrigins,
// ScreenCaptureAllowedByOrigins), the first that matches sets the level, and
// only an origin in none of them falls back to ScreenCaptureAllowed. So a tab
// list restricts an origin even when ScreenCaptureAllowed is true. There is
// no "TabCaptureAllowed" policy (absent from Debian's chromium 156 binary and
// from the policy list). e-KerMed shares the practitioner's screen or an
// application window: window level is enough, tab levels are not.
void judge_screen_capture(const ChromiumPolicies& p, const std::vector<std::string>& origins,
                          std::vector<Finding>& out) {
  struct Level {
    const char* list;
    const char* what;
    bool enough;
  };
  const Level levels[] = {{"SameOriginTabCaptureAllowedByOrigins", N_("only tabs of the same origin can be shared"),
                           false},
                          {"TabCaptureAllowedByOrigins", N_("only browser tabs can be shared"), false},
                          {"WindowCaptureAllowedByOrigins", N_("windows and tabs can be shared, not the whole screen"),
                           true},
                          {"ScreenCaptureAllowedByOrigins", N_("screen, windows and tabs can be shared"), true}};
  for (const auto& l : levels) {
    const auto it = p.values.find(l.list);
    if (it != p.values.end() && !it->second.value.is_array())
      out.push_back({Impact::ignored, tr("{0} has the wrong type: Chromium ignores it", l.list),
                     evidence_of(l.list, it->second, _("a list of origin patterns")), ""});
  }
  for (const auto& origin : origins) {
    const PolicyValue* matched = nullptr;
    const Level* level = nullptr;
    for (const auto& l : levels) {
      const auto it = p.values.find(l.list);
      if (it == p.values.end() || !it->second.value.is_array()) continue;
      if (allowed_by(p, l.list, {origin})) {
        matched = &it->second;
        level = &l;
        break;
      }
    }
    if (level) {
      out.push_back({level->enough ? Impact::info : Impact::breaks_screen_share,
                     tr("{0} matches {1}: {2}", level->list, origin, _(level->what)),
                     evidence_of(level->list, *matched, tr("window or screen level for {0}", origin)),
                     level->enough
                         ? ""
                         : fix_line(*matched, level->list,
                                    tr("remove {0} from it and add it to \"ScreenCaptureAllowedByOrigins\"", origin))});
      continue;
    }
    const auto it = p.values.find("ScreenCaptureAllowed");
    if (it == p.values.end()) continue;
    const PolicyValue& v = it->second;
    if (!v.value.is_bool()) {
      out.push_back({Impact::ignored, _("ScreenCaptureAllowed has the wrong type: Chromium ignores it"),
                     evidence_of("ScreenCaptureAllowed", v, _("a boolean")), ""});
      return;
    }
    if (!v.value.boolean) {
      out.push_back(
          {Impact::breaks_screen_share, tr("screen capture blocked by ScreenCaptureAllowed ({0})", origin),
           evidence_of("ScreenCaptureAllowed", v, tr("true, or {0} in ScreenCaptureAllowedByOrigins", origin)),
           fix_line(v, "ScreenCaptureAllowed", tr("add \"{0}\" to \"ScreenCaptureAllowedByOrigins\"", origin))});
      return;
    }
  }
}
}  // namespace

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
    out.push_back({Impact::ignored, tr("{0} has the wrong type: Chromium ignores it", name),
                   evidence_of(name, v, tr("a value of type {0}", type)), ""});
  };
  // Boolean capture policies with their allow-lists (policy_templates:
  // AudioCaptureAllowed/AudioCaptureAllowedUrls, VideoCaptureAllowed/VideoCaptureAllowedUrls).
  struct Capture {
    const char* policy;
    const char* allow_list;
    const char* device;
  };
  for (const Capture c : {Capture{"VideoCaptureAllowed", "VideoCaptureAllowedUrls", N_("camera")},
                          Capture{"AudioCaptureAllowed", "AudioCaptureAllowedUrls", N_("microphone")}}) {
    const PolicyValue* v = get(c.policy);
    if (!v) continue;
    if (!v->value.is_bool()) {
      wrong_type(c.policy, *v, "boolean");
    } else if (!v->value.boolean) {
      if (allowed_by(p, c.allow_list, origins)) {
        out.push_back({Impact::info, tr("{0}=false but the e-KerMed origins are in {1}", c.policy, c.allow_list),
                       evidence_of(c.policy, *v, tr("true, or the origins in {0}", c.allow_list)), ""});
      } else {
        out.push_back({Impact::breaks_audio_video, tr("{0} blocked by {1}", _(c.device), c.policy),
                       evidence_of(c.policy, *v, tr("true, or the origins in {0}", c.allow_list)),
                       fix_line(*v, c.policy, tr("remove it, or add the e-KerMed origins to \"{0}\"", c.allow_list))});
      }
    }
  }
  // DefaultMediaStreamSetting: 2 = block camera and microphone (deprecated in the
  // policy list, still honoured when set); VideoCaptureAllowedUrls /
  // AudioCaptureAllowedUrls re-allow their origins (checked against Debian's
  // chromium: oracle fixture remedy_media_stream_block).
  if (const PolicyValue* v = get("DefaultMediaStreamSetting")) {
    if (!v->value.is_int()) {
      wrong_type("DefaultMediaStreamSetting", *v, "integer");
    } else if (v->value.integer == 2) {
      for (const Capture c : {Capture{"VideoCaptureAllowed", "VideoCaptureAllowedUrls", N_("camera")},
                              Capture{"AudioCaptureAllowed", "AudioCaptureAllowedUrls", N_("microphone")}}) {
        if (allowed_by(p, c.allow_list, origins)) continue;
        out.push_back(
            {Impact::breaks_audio_video, tr("{0} blocked by DefaultMediaStreamSetting=2", _(c.device)),
             evidence_of("DefaultMediaStreamSetting", *v, tr("absent, 3 (ask), or the origins in {0}", c.allow_list)),
             fix_line(*v, "DefaultMediaStreamSetting",
                      tr("remove it, or add the e-KerMed origins to \"{0}\"", c.allow_list))});
      }
    }
  }
  // JavaScript off: the consultation page cannot run at all.
  if (const PolicyValue* v = get("DefaultJavaScriptSetting")) {
    if (!v->value.is_int()) wrong_type("DefaultJavaScriptSetting", *v, "integer");
    else if (v->value.integer == 2 && !allowed_by(p, "JavaScriptAllowedForUrls", origins))
      out.push_back(
          {Impact::breaks_audio_video, _("JavaScript blocked by DefaultJavaScriptSetting=2"),
           evidence_of("DefaultJavaScriptSetting", *v, _("1, or the origins in JavaScriptAllowedForUrls")),
           fix_line(*v, "DefaultJavaScriptSetting", "add the e-KerMed origins to \"JavaScriptAllowedForUrls\"")});
  }
  // JavaScript blocked for the e-KerMed origin (a content-setting exception):
  // when JavaScriptAllowedForUrls matches too, the more specific pattern wins,
  // the block on a tie (pattern_specificity, findings.hpp).
  if (const PolicyValue* v = get("JavaScriptBlockedForUrls"); v && v->value.is_array()) {
    for (const auto& origin : origins) {
      if (!javascript_blocked_for(p, origin)) continue;
      out.push_back({Impact::breaks_audio_video, tr("JavaScript blocked for {0} by JavaScriptBlockedForUrls", origin),
                     evidence_of("JavaScriptBlockedForUrls", *v, tr("{0} not in the list", origin)),
                     fix_line(*v, "JavaScriptBlockedForUrls", tr("remove the pattern matching {0}", origin))});
      break;
    }
  }
  // The consultation page itself blocked (URLBlocklist, URLAllowlist as exceptions).
  if (const PolicyValue* v = get("URLBlocklist"); v && v->value.is_array()) {
    const PolicyValue* allow = get("URLAllowlist");
    for (const auto& origin : origins) {
      bool blocked = false, allowed = false;
      for (const auto& item : *v->value.array)
        blocked = blocked || (item.is_string() && url_filter_matches(item.string, origin));
      if (allow && allow->value.is_array()) {
        for (const auto& item : *allow->value.array)
          allowed = allowed || (item.is_string() && url_filter_matches(item.string, origin));
      }
      if (!blocked || allowed) continue;
      out.push_back({Impact::breaks_audio_video, tr("the e-KerMed page itself blocked by URLBlocklist ({0})", origin),
                     evidence_of("URLBlocklist", *v, tr("{0} not blocked, or in URLAllowlist", origin)),
                     fix_line(*v, "URLBlocklist", tr("add \"{0}\" to \"URLAllowlist\"", origin))});
      break;
    }
  }
  judge_screen_capture(p, origins, out);
  // WebRtcIPHandling: disable_non_proxied_udp leaves media only through a
  // proxy (TCP/TLS TURN): the seed's case 2, degraded video.
  // WebRtcIPHandlingUrl ([{"url": pattern, "handling": value}], the first
  // matching entry wins) overrides it for the origins it matches.
  const PolicyValue* global = get("WebRtcIPHandling");
  if (global && !global->value.is_string()) {
    wrong_type("WebRtcIPHandling", *global, "string");
    global = nullptr;
  }
  const PolicyValue* per_url = get("WebRtcIPHandlingUrl");
  if (per_url && !per_url->value.is_array()) {
    wrong_type("WebRtcIPHandlingUrl", *per_url, "list of {\"url\", \"handling\"}");
    per_url = nullptr;
  }
  for (const auto& origin : origins) {
    const PolicyValue* source = global;
    std::string handling = global ? global->value.string : "";
    if (per_url) {
      for (const auto& entry : *per_url->value.array) {
        const JsonValue* url = entry.find("url");
        const JsonValue* value = entry.find("handling");
        if (!url || !url->is_string() || !value || !value->is_string() || !origin_matches(url->string, origin))
          continue;
        source = per_url;
        handling = value->string;
        break;
      }
    }
    if (!source || handling != "disable_non_proxied_udp") continue;
    const std::string name = source == per_url ? "WebRtcIPHandlingUrl" : "WebRtcIPHandling";
    out.push_back({Impact::degrades,
                   tr("WebRTC UDP disabled ({0}: disable_non_proxied_udp for {1}): seed case 2", name, origin),
                   evidence_of(name, *source, _("default or default_public_interface_only")),
                   fix_line(*source, name, _("set \"default_public_and_private_interfaces\" or remove it"))});
    break;
  }
  for (const auto& known : capture_policies()) {
    const PolicyValue* v = known.not_judged_because ? get(known.name) : nullptr;
    if (!v) continue;
    out.push_back({Impact::info,
                   tr("{0} is set: it does not block a consultation ({1})", known.name, _(known.not_judged_because)),
                   evidence_of(known.name, *v, ""), ""});
  }
  if (const PolicyValue* v = get("WebRtcUdpPortRange")) {
    out.push_back({Impact::info, _("WebRTC UDP ports restricted (for the firewall check)"),
                   evidence_of("WebRtcUdpPortRange", *v, _("a range the firewall opens")), ""});
  }
  return out;
}

}  // namespace clinic_audit::browser
