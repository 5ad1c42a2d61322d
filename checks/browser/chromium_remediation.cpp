#include "chromium_remediation.hpp"

#include <map>

#include "common/shell_quote.hpp"

namespace clinic_audit::browser {
namespace {

constexpr const char* kOurName = "zz-clinic-audit-ekermed.json";
constexpr const char* kOurSuffix = "-clinic-audit-ekermed.json";

const PolicyValue* get(const ChromiumPolicies& p, const std::string& name) {
  const auto it = p.values.find(name);
  return it == p.values.end() ? nullptr : &it->second;
}

bool is_false(const PolicyValue* v) { return v && v->value.is_bool() && !v->value.boolean; }
bool is_int(const PolicyValue* v, std::int64_t n) { return v && v->value.is_int() && v->value.integer == n; }

JsonValue string_value(const std::string& s) {
  JsonValue v;
  v.kind = JsonValue::Kind::string;
  v.string = s;
  return v;
}

// The string items of list policy `name` (its effective value), plus every
// origin no item matches. nullopt when nothing is missing.
template <typename Matches>
std::optional<JsonValue> union_with_origins(const ChromiumPolicies& p, const std::string& name,
                                            const std::vector<std::string>& origins, Matches matches) {
  JsonValue list;
  list.kind = JsonValue::Kind::array;
  list.array = std::make_shared<JsonArray>();
  const PolicyValue* current = get(p, name);
  if (current && current->value.is_array()) {
    for (const auto& item : *current->value.array) {
      if (item.is_string()) list.array->push_back(item);
    }
  }
  bool added = false;
  for (const auto& origin : origins) {
    bool covered = false;
    for (const auto& item : *list.array) covered = covered || matches(item.string, origin);
    if (covered) continue;
    list.array->push_back(string_value(origin));
    added = true;
  }
  if (!added) return std::nullopt;
  return list;
}

bool allowed_everywhere(const ChromiumPolicies& p, const std::string& list, const std::vector<std::string>& origins) {
  const PolicyValue* v = get(p, list);
  if (!v || !v->value.is_array()) return false;
  for (const auto& origin : origins) {
    bool hit = false;
    for (const auto& item : *v->value.array) hit = hit || (item.is_string() && origin_matches(item.string, origin));
    if (!hit) return false;
  }
  return true;
}

bool content_pattern(const std::string& pattern, const std::string& origin) { return origin_matches(pattern, origin); }
bool url_filter(const std::string& filter, const std::string& origin) { return url_filter_matches(filter, origin); }

bool matches_any(const PolicyValue* list, const std::string& origin,
                 bool (*matches)(const std::string&, const std::string&)) {
  if (!list || !list->value.is_array()) return false;
  for (const auto& item : *list->value.array) {
    if (item.is_string() && matches(item.string, origin)) return true;
  }
  return false;
}

// The capture level an origin gets, from the most restrictive list
// (capture_policy_utils.cc, as judge_screen_capture): true when a tab-level
// list holds it (a new file cannot lift that without dropping the pattern).
bool held_at_tab_level(const ChromiumPolicies& p, const std::string& origin) {
  for (const char* list : {"SameOriginTabCaptureAllowedByOrigins", "TabCaptureAllowedByOrigins"}) {
    if (matches_any(get(p, list), origin, content_pattern)) return true;
  }
  return false;
}

bool screen_level_listed(const ChromiumPolicies& p, const std::string& origin) {
  for (const char* list : {"WindowCaptureAllowedByOrigins", "ScreenCaptureAllowedByOrigins"}) {
    if (matches_any(get(p, list), origin, content_pattern)) return true;
  }
  return false;
}

// WebRtcIPHandlingUrl's first matching entry, else WebRtcIPHandling.
std::string ip_handling_for(const ChromiumPolicies& p, const std::string& origin) {
  if (const PolicyValue* per_url = get(p, "WebRtcIPHandlingUrl"); per_url && per_url->value.is_array()) {
    for (const auto& entry : *per_url->value.array) {
      const JsonValue* url = entry.find("url");
      const JsonValue* handling = entry.find("handling");
      if (url && url->is_string() && handling && handling->is_string() && origin_matches(url->string, origin))
        return handling->string;
    }
  }
  const PolicyValue* global = get(p, "WebRtcIPHandling");
  return global && global->value.is_string() ? global->value.string : "";
}

std::string file_name(const ChromiumPolicies& p) {
  const std::string& last = p.last_managed_name;
  const std::string suffix = kOurSuffix;
  if (last == kOurName || (last.size() > suffix.size() && last.ends_with(suffix))) return last;  // ours, last
  if (last < kOurName) return kOurName;
  return last + suffix;  // sorts after `last`, hence after every entry
}

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

std::string to_json(const JsonValue& v) {
  std::string out;
  switch (v.kind) {
    case JsonValue::Kind::null: return "null";
    case JsonValue::Kind::boolean: return v.boolean ? "true" : "false";
    case JsonValue::Kind::integer: return std::to_string(v.integer);
    case JsonValue::Kind::real: return std::to_string(v.real);
    case JsonValue::Kind::string: append_json_string(out, v.string); return out;
    case JsonValue::Kind::array:
      out = "[";
      for (std::size_t i = 0; i < v.array->size(); ++i) out += (i ? ", " : "") + to_json((*v.array)[i]);
      return out + "]";
    case JsonValue::Kind::object:
      out = "{";
      for (std::size_t i = 0; i < v.object->size(); ++i) {
        if (i) out += ", ";
        append_json_string(out, (*v.object)[i].first);
        out += ": " + to_json((*v.object)[i].second);
      }
      return out + "}";
  }
  return "null";
}

std::optional<ChromiumFix> chromium_fix(const std::string& dir, const ChromiumPolicies& p,
                                        const std::vector<std::string>& origins) {
  std::map<std::string, JsonValue> keys;  // sorted: a stable file for the same machine
  auto allow = [&](const std::string& list, bool (*matches)(const std::string&, const std::string&)) {
    if (auto value = union_with_origins(p, list, origins, matches)) keys[list] = std::move(*value);
  };
  const bool media_blocked = is_int(get(p, "DefaultMediaStreamSetting"), 2);
  if (is_false(get(p, "VideoCaptureAllowed")) || media_blocked) allow("VideoCaptureAllowedUrls", content_pattern);
  if (is_false(get(p, "AudioCaptureAllowed")) || media_blocked) allow("AudioCaptureAllowedUrls", content_pattern);
  bool js_blocked =
      is_int(get(p, "DefaultJavaScriptSetting"), 2) && !allowed_everywhere(p, "JavaScriptAllowedForUrls", origins);
  std::vector<std::string> js_blocked_origins;
  for (const auto& origin : origins) {
    if (javascript_blocked_for(p, origin)) js_blocked_origins.push_back(origin);
  }
  if (js_blocked || !js_blocked_origins.empty()) {
    // The origin itself ("https://host": the most specific pattern) as an allow exception...
    JsonValue list;
    list.kind = JsonValue::Kind::array;
    list.array = std::make_shared<JsonArray>();
    if (const PolicyValue* current = get(p, "JavaScriptAllowedForUrls"); current && current->value.is_array()) {
      for (const auto& item : *current->value.array) {
        if (item.is_string()) list.array->push_back(item);
      }
    }
    for (const auto& origin : origins) {
      bool present = false;
      for (const auto& item : *list.array) present = present || item.string == origin;
      if (!present) list.array->push_back(string_value(origin));
    }
    keys["JavaScriptAllowedForUrls"] = std::move(list);
    // ...and, since a block exactly as specific wins, the block patterns as
    // specific as the origin dropped (they name this origin and no other).
    if (!js_blocked_origins.empty()) {
      JsonValue kept;
      kept.kind = JsonValue::Kind::array;
      kept.array = std::make_shared<JsonArray>();
      bool dropped = false;
      for (const auto& item : *get(p, "JavaScriptBlockedForUrls")->value.array) {
        bool names_origin = false;
        for (const auto& origin : js_blocked_origins) {
          names_origin = names_origin || (item.is_string() && origin_matches(item.string, origin) &&
                                          pattern_specificity(item.string) >= pattern_specificity(origin));
        }
        if (names_origin) {
          dropped = true;
        } else {
          kept.array->push_back(item);
        }
      }
      if (dropped) keys["JavaScriptBlockedForUrls"] = std::move(kept);
    }
  }
  bool url_blocked = false;
  for (const auto& origin : origins)
    url_blocked = url_blocked || matches_any(get(p, "URLBlocklist"), origin, url_filter);
  if (url_blocked) allow("URLAllowlist", url_filter);
  if (is_false(get(p, "ScreenCaptureAllowed"))) {
    std::vector<std::string> missing;
    for (const auto& origin : origins) {
      if (!held_at_tab_level(p, origin) && !screen_level_listed(p, origin)) missing.push_back(origin);
    }
    if (!missing.empty()) {
      if (auto value = union_with_origins(p, "ScreenCaptureAllowedByOrigins", missing, content_pattern))
        keys["ScreenCaptureAllowedByOrigins"] = std::move(*value);
    }
  }
  JsonValue handling;
  handling.kind = JsonValue::Kind::array;
  handling.array = std::make_shared<JsonArray>();
  for (const auto& origin : origins) {
    if (ip_handling_for(p, origin) != "disable_non_proxied_udp") continue;
    JsonValue entry;
    entry.kind = JsonValue::Kind::object;
    entry.object = std::make_shared<JsonObject>();
    entry.object->emplace_back("url", string_value(origin));
    entry.object->emplace_back("handling", string_value("default"));
    handling.array->push_back(std::move(entry));
  }
  if (!handling.array->empty()) {
    if (const PolicyValue* existing = get(p, "WebRtcIPHandlingUrl"); existing && existing->value.is_array()) {
      for (const auto& entry : *existing->value.array) handling.array->push_back(entry);
    }
    keys["WebRtcIPHandlingUrl"] = std::move(handling);
  }
  if (keys.empty()) return std::nullopt;
  ChromiumFix fix;
  JsonValue object;
  object.kind = JsonValue::Kind::object;
  object.object = std::make_shared<JsonObject>();
  for (auto& [name, value] : keys) {
    fix.keys.push_back(name);
    object.object->emplace_back(name, std::move(value));
  }
  fix.json = to_json(object);
  fix.path = dir + "/managed/" + file_name(p);
  // umask 022 in a subshell and chmod 644: the browser runs as the desktop
  // user, who must be able to read the file and search the directories
  // (Chromium ignores a policy file it cannot read); a technician's umask of
  // 077 would otherwise leave both private.
  const std::string file = shell_word(fix.path);
  fix.command = "(umask 022 && mkdir -p " + shell_word(dir + "/managed") + " && printf '%s\\n' " +
                shell_quote(fix.json) + " > " + file + " && chmod 644 " + file + ")";
  return fix;
}

}  // namespace clinic_audit::browser
