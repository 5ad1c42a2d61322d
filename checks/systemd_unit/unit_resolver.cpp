#include "unit_resolver.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace clinic_audit::systemd {
namespace {

constexpr std::size_t kMaxUnitFile = 1024 * 1024;  // systemd refuses larger lines anyway

struct Name {
  std::string prefix;  // "foo@" or "foo-bar"
  std::string type;    // "service"
};

std::optional<Name> split_name(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return std::nullopt;
  return Name{std::string(name.substr(0, dot)), std::string(name.substr(dot + 1))};
}

// "foo@bar.service" -> "foo@.service"; nullopt when not an instance.
std::optional<std::string> template_of(std::string_view name) {
  auto parts = split_name(name);
  if (!parts) return std::nullopt;
  const auto at = parts->prefix.find('@');
  if (at == std::string::npos || at + 1 == parts->prefix.size()) return std::nullopt;
  return parts->prefix.substr(0, at + 1) + "." + parts->type;
}

bool is_dir(const RootFs& fs, const std::string& path) {
  try {
    auto info = fs.stat(path);
    return info && info->type == FileType::directory;
  } catch (const FsError&) {
    return false;  // a loop or unreadable directory: systemd skips it too
  }
}

// NAME.TYPE with one of systemd's unit types (systemd.unit(5)); drop-in
// directories ("NAME.service.d") and stray files are not units.
bool is_unit_name(std::string_view name) {
  auto parts = split_name(name);
  if (!parts) return false;
  for (const char* type : {"service", "socket", "target", "timer", "mount", "automount", "swap", "path", "slice",
                           "scope", "device"}) {
    if (parts->type == type) return true;
  }
  return false;
}

// An unreadable directory of the search path is skipped, as systemd does.
std::vector<DirEntry> list_or_empty(const RootFs& fs, const std::string& dir) {
  try {
    return fs.list_dir(dir);
  } catch (const FsError&) {
    return {};
  }
}

// A unit file or drop-in that masks: a symlink to /dev/null, a character
// device, or an empty regular file (systemd's null_or_empty()).
bool masks(const RootFs& fs, const std::string& path) {
  auto link = fs.lstat(path);
  if (!link) return false;
  if (link->type == FileType::symlink && fs.read_link(path) == "/dev/null") return true;
  try {
    auto info = fs.stat(path);
    if (!info) return false;
    if (info->type == FileType::char_device) return true;
    return info->type == FileType::regular && info->size == 0;
  } catch (const FsError&) {
    return false;
  }
}

// Directories systemd searches for drop-ins of `name` under `dir`, most
// specific first (src/shared/dropin.c unit_file_find_dirs()).
void dropin_dirs_for(const std::string& dir, std::string_view name, std::vector<std::string>& out) {
  out.push_back(dir + "/" + std::string(name) + ".d");
  if (auto tmpl = template_of(name)) out.push_back(dir + "/" + *tmpl + ".d");
  auto parts = split_name(name);
  if (!parts) return;
  std::string prefix = parts->prefix;
  if (auto at = prefix.find('@'); at != std::string::npos) prefix.erase(at);
  // foo-bar-baz.service -> foo-bar-.service.d, foo-.service.d
  while (true) {
    if (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
    const auto dash = prefix.rfind('-');
    if (dash == std::string::npos || dash == 0) break;
    prefix.erase(dash + 1);
    out.push_back(dir + "/" + prefix + "." + parts->type + ".d");
  }
  // Type-level drop-ins (systemd.unit(5): "service.d/" applies to every service).
  out.push_back(dir + "/" + parts->type + ".d");
}

}  // namespace

const std::vector<std::string>& unit_search_path() {
  static const std::vector<std::string> kPath = {
      "/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
      "/run/systemd/generator.early", "/etc/systemd/system",       "/etc/systemd/system.attached",
      "/run/systemd/system",         "/run/systemd/system.attached", "/run/systemd/generator",
      "/usr/local/lib/systemd/system", "/lib/systemd/system",       "/usr/lib/systemd/system",
      "/run/systemd/generator.late"};
  return kPath;
}

UnitFiles locate_unit(const RootFs& fs, std::string_view unit_name) {
  UnitFiles unit;
  unit.name = std::string(unit_name);
  std::vector<std::string> names = {unit.name};

  auto find_fragment = [&](const std::string& name) -> bool {
    for (const auto& dir : unit_search_path()) {
      const std::string candidate = dir + "/" + name;
      std::optional<FileInfo> link, info;
      try {
        link = fs.lstat(candidate);
        if (!link) continue;
        if (masks(fs, candidate)) {
          unit.masked = true;
          unit.masked_by = candidate;
          return true;
        }
        info = fs.stat(candidate);
      } catch (const FsError&) {
        continue;  // a looping or unreadable entry: systemd skips it with a warning
      }
      if (!info || info->type != FileType::regular) continue;  // dangling link: systemd skips it
      unit.fragment = info->path;
      // An alias symlink gives the unit a second name whose drop-ins apply too.
      const std::string target_name = info->path.substr(info->path.rfind('/') + 1);
      if (target_name != name && std::find(names.begin(), names.end(), target_name) == names.end()) {
        names.push_back(target_name);
      }
      return true;
    }
    return false;
  };
  if (!find_fragment(unit.name)) {
    if (auto tmpl = template_of(unit.name)) find_fragment(*tmpl);
  }
  if (unit.masked) return unit;

  std::vector<std::string> dirs;
  for (const auto& dir : unit_search_path()) {
    for (const auto& name : names) dropin_dirs_for(dir, name, dirs);
  }
  std::map<std::string, std::string> chosen;  // file name -> path (first seen wins)
  std::set<std::string> seen_dirs;
  for (const auto& dir : dirs) {
    if (!seen_dirs.insert(dir).second || !is_dir(fs, dir)) continue;
    for (const auto& entry : list_or_empty(fs, dir)) {
      const std::string& file = entry.name;
      if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".conf") != 0) continue;
      if (chosen.count(file) != 0) continue;
      chosen.emplace(file, dir + "/" + file);
    }
  }
  for (const auto& [file, path] : chosen) {  // std::map: file-name order
    try {
      if (masks(fs, path)) {
        unit.masked_dropins.push_back(path);
        continue;
      }
      auto info = fs.stat(path);
      if (!info || info->type != FileType::regular) continue;
    } catch (const FsError&) {
      continue;
    }
    unit.dropins.push_back(path);
  }
  return unit;
}

std::vector<std::string> find_units(const RootFs& fs, std::string_view pattern) {
  std::set<std::string> found;
  for (const auto& dir : unit_search_path()) {
    if (!is_dir(fs, dir)) continue;
    for (const auto& entry : list_or_empty(fs, dir)) {
      if (entry.type == FileType::directory || !is_unit_name(entry.name)) continue;
      if (glob_match(pattern, entry.name)) found.insert(entry.name);
    }
  }
  return {found.begin(), found.end()};
}

EffectiveSetting effective_setting(const RootFs& fs, const UnitFiles& unit, std::string_view section,
                                   std::string_view key, bool boolean) {
  EffectiveSetting result;
  if (unit.fragment) result.files.push_back(*unit.fragment);
  result.files.insert(result.files.end(), unit.dropins.begin(), unit.dropins.end());
  for (const auto& path : result.files) {
    const UnitFile parsed = parse_unit_file(fs.read_file(path, kMaxUnitFile));
    for (const auto& issue : parsed.issues) {
      result.issues.push_back(path + ":" + std::to_string(issue.line) + ": " + issue.message);
    }
    for (const auto& assignment : parsed.assignments) {
      if (assignment.section != section || assignment.key != key) continue;
      Decision decision{path, assignment.line, assignment.value};
      if (boolean && !parse_systemd_boolean(assignment.value)) {
        result.ignored.push_back(std::move(decision));
        continue;
      }
      // For a non-boolean setting "Key=" resets to the default: value becomes
      // empty, and the line that reset it is still the one that decided.
      result.value = assignment.value;
      result.decided_by = std::move(decision);
    }
  }
  return result;
}

}  // namespace clinic_audit::systemd
