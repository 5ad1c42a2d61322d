#include "fatal_settings.hpp"
#include "i18n.hpp"

#include <cctype>
#include <vector>

#include "unit_file_parser.hpp"

namespace clinic_audit::systemd {
namespace {

// Specifiers unit_full_printf() resolves (systemd.unit(5) "Specifiers",
// 252); any other "%x" fails with "Failed to resolve unit specifiers".
constexpr std::string_view kSpecifiers = "%aAbBCdEfgGhHiIjJlLmMnNopPqsStTuUvVwWyY";

bool specifiers_resolve(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') continue;
    if (i + 1 == value.size() || kSpecifiers.find(value[i + 1]) == std::string_view::npos) return false;
    ++i;
  }
  return true;
}

bool is_absolute(std::string_view path) { return !path.empty() && path.front() == '/'; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// valid_user_group_name() with VALID_USER_RELAX | VALID_USER_ALLOW_NUMERIC
// (src/basic/user-util.c): what User=, Group= and SupplementaryGroups= accept.
bool valid_user_or_group(std::string_view name) {
  if (all_digits(name)) {
    // parse_uid(): 32 bits, and neither (uid_t)-1 nor the 16-bit -1.
    if (name.size() > 10) return false;
    const unsigned long long uid = std::stoull(std::string(name));
    return uid < 4294967295ULL && uid != 65535ULL;
  }
  if (name.empty() || name.find_first_of(":/") != std::string_view::npos) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  if (name.front() == '-' && all_digits(name.substr(1))) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  return name != "." && name != "..";
}

// First word of a command line, quotes honoured; nullopt on unbalanced quotes
// (extract_first_word() with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE).
std::optional<std::vector<std::string>> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size()) return words;
    std::string word;
    char quote = 0;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (quote) {
        if (c == quote) quote = 0;
        else if (c == '\\' && i + 1 < text.size()) word += text[++i];
        else word += c;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ' ' || c == '\t') {
        break;
      } else if (c == '\\' && i + 1 < text.size()) {
        word += text[++i];
      } else {
        word += c;
      }
    }
    if (quote) return std::nullopt;
    words.push_back(std::move(word));
  }
}

// config_parse_exec() (load-fragment.c): fatal unless the command carries
// the '-' prefix ("ignore failure"), which makes every error non-fatal.
std::optional<std::string> exec_error(std::string_view value) {
  if (value.empty()) return std::nullopt;  // resets the list
  const auto words = split_words(value);
  if (!words) return _("unbalanced quoting in the command line");
  if (words->empty()) return std::nullopt;
  std::string first = words->front();
  std::size_t prefixes = 0;
  bool ignore = false;
  while (prefixes < first.size() && std::string_view("-@:+!").find(first[prefixes]) != std::string_view::npos) {
    ignore = ignore || first[prefixes] == '-';
    ++prefixes;
  }
  if (ignore) return std::nullopt;
  if (!specifiers_resolve(value)) return _("a specifier ('%') that does not resolve");
  std::string path = first.substr(prefixes);
  // With '@' the second word is argv[0]; the executable is still this one.
  if (path.empty()) return _("an empty executable name");
  if (path.find('/') != std::string::npos && !is_absolute(path)) {
    return tr("neither a valid executable name nor an absolute path: {0}", path);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> fatal_setting_error(std::string_view section, std::string_view key, std::string_view value) {
  if (section != "Service") return std::nullopt;
  for (const char* exec :
       {"ExecStart", "ExecStartPre", "ExecStartPost", "ExecCondition", "ExecReload", "ExecStop", "ExecStopPost"}) {
    if (key == exec) return exec_error(value);
  }
  if (key == "User" || key == "Group" || key == "SupplementaryGroups") {
    if (value.empty()) return std::nullopt;
    if (!specifiers_resolve(value)) return _("a specifier ('%') that does not resolve");
    const auto words = key == "SupplementaryGroups" ? split_words(value)
                                                    : std::optional<std::vector<std::string>>({std::string(value)});
    if (!words) return _("unbalanced quoting");
    for (const auto& w : *words) {
      if (!valid_user_or_group(w)) return tr("invalid user/group name or numeric ID: {0}", w);
    }
    return std::nullopt;
  }
  if (key == "WorkingDirectory") {
    if (value.empty() || value.front() == '-') return std::nullopt;  // '-': missing_ok, errors ignored
    if (!specifiers_resolve(value)) return _("a specifier ('%') that does not resolve");
    if (value != "~" && !is_absolute(value)) return _("WorkingDirectory= path is not absolute");
    return std::nullopt;
  }
  if (key == "RootDirectory" || key == "RootImage") {
    if (value.empty()) return std::nullopt;
    if (!specifiers_resolve(value)) return _("a specifier ('%') that does not resolve");
    if (!is_absolute(value)) return tr("{0}= path is not absolute", key);
    return std::nullopt;
  }
  if (key == "SELinuxContext" || key == "AppArmorProfile" || key == "SmackProcessLabel") {
    if (value.empty() || value.front() == '-') return std::nullopt;
    if (!specifiers_resolve(value)) return _("a specifier ('%') that does not resolve");
    return std::nullopt;
  }
  // DynamicUser= is the one boolean parsed with fatal=true (load-fragment-gperf).
  if (key == "DynamicUser" && !parse_systemd_boolean(value)) return _("DynamicUser= is not a boolean");
  return std::nullopt;
}

}  // namespace clinic_audit::systemd
