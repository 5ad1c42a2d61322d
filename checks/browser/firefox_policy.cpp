#include "firefox_policy.hpp"
#include "i18n.hpp"

namespace clinic_audit::browser {

// (firefox_policy.hpp) After the .cfg ran, nsReadConfig::readConfigFile compares
// general.config.vendor (when set) with general.config.filename:
// strncmp(filename, vendor, strlen(filename) - 4) (the name without ".cfg";
// the length is unsigned, so a name shorter than 4 compares whole), and a
// difference fails the read: Firefox quits at startup (oracle fixtures
// ff_autoconfig_vendor_*). Both are read after the .cfg, which may set them.
void check_autoconfig_vendor(FirefoxConfig& out) {
  const auto vendor = out.prefs.find("general.config.vendor");
  const auto name = out.prefs.find("general.config.filename");
  if (vendor == out.prefs.end() || name == out.prefs.end() || !vendor->second.value.is_string() ||
      !name->second.value.is_string())
    return;
  const std::string& file = name->second.value.string;
  const std::string& want = vendor->second.value.string;
  const std::size_t n = file.size() >= 4 ? file.size() - 4 : std::string::npos;
  // strncmp: compared up to n bytes or the first NUL (none in a pref string).
  const std::string a = file.substr(0, n), b = want.substr(0, n);
  if (a == b) return;
  out.problems.push_back(
      {Impact::breaks_audio_video,
       tr("Firefox quits at startup: general.config.vendor \"{0}\" does not match general.config.filename \"{1}\"",
          want, file),
       {vendor->second.file, vendor->second.line, "general.config.vendor=" + vendor->second.value.brief(),
        tr("\"{0}\" (the file name without .cfg)", file.substr(0, n))},
       tr("in {0} line {1}: set general.config.vendor to \"{2}\" or remove it", vendor->second.file,
          vendor->second.line, file.substr(0, n))});
}

namespace {

constexpr std::size_t kMaxConfigFile = 1024 * 1024;

void read_prefs_dir(const RootFs& fs, const std::string& dir, FirefoxConfig& out) {
  std::vector<DirEntry> entries;
  try {
    if (!fs.exists(dir)) return;
    entries = fs.list_dir(dir);
  } catch (const FsError& e) {
    out.unreadable = true;
    out.problems.push_back(
        {Impact::ignored, _("preference directory unreadable"), {dir, std::nullopt, e.what(), _("readable")}, ""});
    return;
  }
  for (const auto& entry : entries) {
    if (!entry.name.ends_with(".js")) continue;
    const std::string path = dir + "/" + entry.name;
    try {
      const auto info = fs.stat(path);
      if (!info) {
        out.problems.push_back(
            {Impact::ignored,
             _("dangling symlink: no preference read from it"),
             {path, std::nullopt, tr("symlink to {0} (absent in the audited root)", fs.read_link(path)),
              _("a preference file")},
             ""});
        continue;
      }
      if (info->type == FileType::directory) continue;
      if (info->type == FileType::fifo) {
        // Checked against Debian's firefox-esr (oracle fixture ff_fifo_pref):
        // it opens the FIFO and waits for a writer, never opening a window.
        out.problems.push_back(
            {Impact::breaks_audio_video,
             _("a FIFO among the preference files: Firefox waits on it at startup and never opens a page"),
             {path, std::nullopt, "FIFO", _("regular preference files only")},
             tr("remove the FIFO {0} from {1}", path, dir)});
        continue;
      }
      if (info->type != FileType::regular) {
        out.unreadable = true;
        out.problems.push_back(
            {Impact::ignored,
             _("preference entry is not a regular file: not evaluated"),
             {path, std::nullopt, std::string(_(to_string(info->type).data())), _("regular preference files only")},
             ""});
        continue;
      }
      apply_pref_file(fs.read_file(path, kMaxConfigFile), path, out.prefs);
    } catch (const FsError& e) {
      out.unreadable = true;
      out.problems.push_back(
          {Impact::ignored, _("preference file unreadable"), {path, std::nullopt, e.what(), _("readable")}, ""});
    } catch (const PrefError& e) {
      out.problems.push_back({Impact::ignored,
                              _("Firefox stops reading this preference file at a syntax error"),
                              {path, e.line(), e.what(), "pref(\"name\", value);"},
                              ""});
    }
  }
}

// Autoconfig (extensions/pref/autoconfig/src/nsReadConfig.cpp): once the
// default preference files are read, general.config.filename names a file
// in the install directory (NS_GRE_DIR); it is de-obscured with
// general.config.obscure_value, its first line is skipped and the rest runs
// as JavaScript with prefcalls.js's pref()/lockPref()/defaultPref(). A file
// that is missing or fails makes Firefox quit at startup (checked against
// firefox-esr: oracle fixtures ff_autoconfig_*).
void read_autoconfig(const RootFs& fs, const std::string& install_dir, FirefoxConfig& out) {
  const auto name_it = out.prefs.find("general.config.filename");
  if (name_it == out.prefs.end()) return;
  const PrefValue setting = name_it->second;
  const Evidence named{setting.file, setting.line, "general.config.filename=" + setting.value.brief(), ""};
  if (!setting.value.is_string() || setting.value.string.empty()) return;
  const std::string& name = setting.value.string;
  if (install_dir.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    out.unreadable = true;
    out.problems.push_back({Impact::ignored,
                            _("autoconfig file not evaluated (no install directory, or a name with '/')"),
                            {named.path, named.line, named.observed, _("a file name in the install directory")},
                            ""});
    return;
  }
  long obscure = 13;  // greprefs.js: pref("general.config.obscure_value", 13)
  if (const auto it = out.prefs.find("general.config.obscure_value");
      it != out.prefs.end() && it->second.value.is_int())
    obscure = static_cast<long>(it->second.value.integer);
  const std::string path = install_dir + "/" + name;
  std::optional<std::string> bytes;
  try {
    bytes = fs.read_file_if_exists(path, kMaxConfigFile);
  } catch (const FsError& e) {
    out.unreadable = true;
    out.problems.push_back(
        {Impact::ignored, _("autoconfig file unreadable"), {path, std::nullopt, e.what(), _("readable")}, ""});
    return;
  }
  if (!bytes) {
    out.problems.push_back(
        {Impact::breaks_audio_video,
         tr("Firefox quits at startup: the autoconfig file {0} named by general.config.filename is missing", path),
         {named.path, named.line, tr("{0}, {1} absent", named.observed, path), tr("{0} present", path)},
         tr("in {0} line {1}: remove the general.config.filename line, or install {2}", named.path, setting.line,
            path)});
    return;
  }
  out.autoconfig_file = path;
  try {
    apply_pref_file(autoconfig_body(*bytes, obscure), path, out.prefs, PrefSyntax::autoconfig);
  } catch (const PrefError& e) {
    out.unreadable = true;
    out.problems.push_back({Impact::ignored,
                            _("autoconfig file not evaluated past this line"),
                            {path, e.line(), e.what(), _("pref(), lockPref(), defaultPref() calls")},
                            ""});
    return;
  }
  check_autoconfig_vendor(out);
}

// Preferences policy: a bare value or {"Value": v, "Status": ...}.
void apply_preferences_policy(const JsonValue& prefs, const std::string& file, FirefoxConfig& out) {
  if (!prefs.is_object()) return;
  for (const auto& [name, spec] : *prefs.object) {
    JsonValue value = spec;
    bool locked = false;
    if (spec.is_object()) {
      const JsonValue* v = spec.find("Value");
      const JsonValue* status = spec.find("Status");
      if (status && status->is_string() && status->string == "clear") {
        out.prefs.erase(name);
        continue;
      }
      if (!v) continue;
      value = *v;
      value.line = spec.line;
      locked = status && status->is_string() && status->string == "locked";
    }
    auto it = out.prefs.find(name);
    if (it != out.prefs.end() && it->second.locked && !locked) continue;
    out.prefs[name] = {value, file, value.line, locked};
  }
}

const JsonValue* member(const JsonValue* v, std::string_view key) { return v ? v->find(key) : nullptr; }

bool in_list(const JsonValue* list, const std::string& origin) {
  if (!list || !list->is_array()) return false;
  for (const auto& item : *list->array) {
    if (item.is_string() && origin_matches(item.string, origin)) return true;
  }
  return false;
}

}  // namespace

FirefoxConfig load_firefox_config(const RootFs& fs, const std::string& app_name, const std::string& install_dir) {
  FirefoxConfig out;
  // Default preferences first (the install's, then Debian's /etc/<app>), then policies.
  if (!install_dir.empty()) {
    read_prefs_dir(fs, install_dir + "/defaults/pref", out);
    read_prefs_dir(fs, install_dir + "/browser/defaults/preferences", out);
  }
  read_prefs_dir(fs, "/etc/" + app_name, out);
  read_autoconfig(fs, install_dir, out);
  // The system file is /etc/firefox/policies/policies.json for Debian's
  // firefox-esr too (/etc/firefox-esr/policies/ is not read): checked by
  // tests/browser_oracle_test.cpp.
  std::vector<std::string> candidates = {"/etc/firefox/policies/policies.json"};
  if (!install_dir.empty()) candidates.push_back(install_dir + "/distribution/policies.json");
  for (const auto& path : candidates) {
    std::optional<std::string> text;
    try {
      text = fs.read_file_if_exists(path, kMaxConfigFile);
    } catch (const FsError& e) {
      out.unreadable = true;
      out.problems.push_back(
          {Impact::ignored, _("policies file unreadable"), {path, std::nullopt, e.what(), _("readable")}, ""});
      return out;
    }
    if (!text) continue;
    out.policies_file = path;  // the first that exists is the only one read
    try {
      const JsonValue root = parse_json(*text, JsonDialect::strict());
      const JsonValue* policies = root.find("policies");
      if (!policies || !policies->is_object()) {
        out.problems.push_back({Impact::ignored,
                                _("no \"policies\" object: Firefox applies no policy"),
                                {path, root.line, root.brief(), "{\"policies\": {...}}"},
                                ""});
        return out;
      }
      out.policies = *policies;
      apply_preferences_policy(policies->find("Preferences") ? *policies->find("Preferences") : JsonValue{}, path, out);
    } catch (const JsonError& e) {
      out.problems.push_back({Impact::ignored,
                              _("Firefox applies no policy: policies.json does not parse (JSON.parse)"),
                              {path, e.line(), std::string(_("JSON error: ")) + e.what(), _("strict JSON")},
                              tr("fix the JSON syntax of {0}", path)});
    }
    return out;
  }
  return out;
}

std::vector<Finding> judge_firefox_config(const FirefoxConfig& c, const std::vector<std::string>& origins) {
  std::vector<Finding> out = c.problems;
  const JsonValue* permissions = c.policies.is_object() ? c.policies.find("Permissions") : nullptr;
  struct Perm {
    const char* key;
    Impact impact;
    const char* what;
  };
  for (const Perm perm : {Perm{"Camera", Impact::breaks_audio_video, N_("camera")},
                          Perm{"Microphone", Impact::breaks_audio_video, N_("microphone")},
                          Perm{"ScreenShare", Impact::breaks_screen_share, N_("screen sharing")}}) {
    const JsonValue* entry = member(permissions, perm.key);
    if (!entry || !entry->is_object()) continue;
    for (const auto& origin : origins) {
      const JsonValue* block = entry->find("Block");
      const JsonValue* allow = entry->find("Allow");
      const JsonValue* block_new = entry->find("BlockNewRequests");
      std::string why;
      int line = entry->line;
      if (in_list(block, origin)) {
        why = tr("Permissions.{0}.Block lists {1}", perm.key, origin);
        line = block->line;
      } else if (block_new && block_new->is_bool() && block_new->boolean && !in_list(allow, origin)) {
        why = tr("Permissions.{0}.BlockNewRequests=true and {1} is not in Allow", perm.key, origin);
        line = block_new->line;
      }
      if (why.empty()) continue;
      out.push_back({perm.impact,
                     tr("{0} blocked: {1}", _(perm.what), why),
                     {c.policies_file, line, why, tr("{0} allowed", origin)},
                     tr("in {0}: add \"{1}\" to \"Permissions\": {{\"{2}\": {{\"Allow\": [...]}}}} and remove it from "
                        "Block",
                        c.policies_file, origin, perm.key)});
      break;
    }
  }
  auto pref = [&](const std::string& name) -> const PrefValue* {
    const auto it = c.prefs.find(name);
    return it == c.prefs.end() ? nullptr : &it->second;
  };
  auto is_false = [](const PrefValue* p) { return p && p->value.is_bool() && !p->value.boolean; };
  auto evidence = [](const std::string& name, const PrefValue& p, std::string expected) {
    return Evidence{p.file, p.line, name + "=" + p.value.brief() + (p.locked ? _(" (locked)") : ""),
                    std::move(expected)};
  };
  auto fix = [](const std::string& name, const PrefValue& p, const std::string& value) {
    return tr("in {0} line {1}: set pref(\"{2}\", {3});", p.file, p.line, name, value);
  };
  const PrefValue* peer = pref("media.peerconnection.enabled");
  if (is_false(peer)) {
    out.push_back({Impact::breaks_audio_video, _("RTCPeerConnection removed by media.peerconnection.enabled=false"),
                   evidence("media.peerconnection.enabled", *peer, "true"),
                   fix("media.peerconnection.enabled", *peer, "true")});
    const PrefValue* nav = pref("media.navigator.enabled");
    if (is_false(nav))  // both false: navigator.mediaDevices disappears too
      out.push_back({Impact::breaks_audio_video,
                     _("getUserMedia removed (media.navigator.enabled and media.peerconnection.enabled both false)"),
                     evidence("media.navigator.enabled", *nav, "true"), fix("media.navigator.enabled", *nav, "true")});
  }
  for (const auto& [name, device] : {std::pair<std::string, std::string>{"permissions.default.camera", N_("camera")},
                                     {"permissions.default.microphone", N_("microphone")}}) {
    const PrefValue* p = pref(name);
    if (p && p->value.is_int() && p->value.integer == 2)
      out.push_back({Impact::breaks_audio_video, tr("{0} blocked for every site by {1}=2", _(device.c_str()), name),
                     evidence(name, *p, _("0 (ask)")), fix(name, *p, "0")});
  }
  // MediaManager: media.getusermedia.camera.deny / microphone.deny = true
  // refuse the device to every page without asking (checked against firefox-esr:
  // oracle ff_camera_deny_pref).
  for (const auto& [name, device] :
       {std::pair<std::string, std::string>{"media.getusermedia.camera.deny", N_("camera")},
        {"media.getusermedia.microphone.deny", N_("microphone")}}) {
    const PrefValue* p = pref(name);
    if (p && p->value.is_bool() && p->value.boolean)
      out.push_back({Impact::breaks_audio_video, tr("{0} refused to every page by {1}=true", _(device.c_str()), name),
                     evidence(name, *p, "false"), fix(name, *p, "false")});
  }
  // dom/webidl/MediaDevices.webidl: getDisplayMedia is [Pref="media.getdisplaymedia.enabled"]:
  // false removes the method (oracle ff_getdisplaymedia_off).
  if (const PrefValue* p = pref("media.getdisplaymedia.enabled"); is_false(p))
    out.push_back({Impact::breaks_screen_share, _("getDisplayMedia removed by media.getdisplaymedia.enabled=false"),
                   evidence("media.getdisplaymedia.enabled", *p, "true"),
                   fix("media.getdisplaymedia.enabled", *p, "true")});
  // The "screen" permission's default (permissions.default.<type>, as for the
  // camera); not compared with the browser: headless Firefox refuses
  // getDisplayMedia without a user gesture before any permission is asked.
  if (const PrefValue* p = pref("permissions.default.screen"); p && p->value.is_int() && p->value.integer == 2)
    out.push_back(
        {Impact::breaks_screen_share, _("screen sharing blocked for every site by permissions.default.screen=2"),
         evidence("permissions.default.screen", *p, _("0 (ask)")), fix("permissions.default.screen", *p, "0")});
  if (const PrefValue* p = pref("media.getusermedia.screensharing.enabled"); is_false(p))
    out.push_back({Impact::breaks_screen_share,
                   _("screen sharing disabled by media.getusermedia.screensharing.enabled=false"),
                   evidence("media.getusermedia.screensharing.enabled", *p, "true"),
                   fix("media.getusermedia.screensharing.enabled", *p, "true")});
  for (const std::string& name :
       {std::string("media.peerconnection.ice.relay_only"), std::string("media.peerconnection.ice.proxy_only")}) {
    const PrefValue* p = pref(name);
    if (p && p->value.is_bool() && p->value.boolean)
      out.push_back({Impact::degrades, tr("WebRTC media only through a relay/proxy ({0}=true): seed case 2", name),
                     evidence(name, *p, "false"), fix(name, *p, "false")});
  }
  return out;
}

}  // namespace clinic_audit::browser
