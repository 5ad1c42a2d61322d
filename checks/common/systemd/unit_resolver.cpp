#include "unit_resolver.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/check.hpp"
#include "fatal_settings.hpp"

namespace clinic_audit::systemd {
namespace {

constexpr std::size_t kMaxUnitFile = 1024 * 1024;  // systemd refuses larger lines anyway
// Past this many drop-ins of one unit, time and memory would be the
// attacker's to choose (issue #20 item 4): `error`.
constexpr std::size_t kMaxDropins = 4096;

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

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

[[noreturn]] void not_a_file(const std::string& path, FileType type, const std::string& what) {
  throw CheckError(tr("{0} is a {1} where systemd expects {2}: not evaluated", path, _(to_string(type).data()),
                      _(what.c_str())),
                   path);
}

// NAME.TYPE with one of systemd's unit types (systemd.unit(5)); drop-in
// directories ("NAME.service.d") and stray files are not units.
bool is_unit_name(std::string_view name) {
  auto parts = split_name(name);
  if (!parts) return false;
  for (const char* type :
       {"service", "socket", "target", "timer", "mount", "automount", "swap", "path", "slice", "scope", "device"}) {
    if (parts->type == type) return true;
  }
  return false;
}

// A unit file or drop-in that masks: a symlink to /dev/null, a character
// device, or an empty regular file (systemd's null_or_empty()).
bool masks(const RootFs& fs, const std::string& path) {
  auto link = fs.lstat(path);
  if (!link) return false;
  if (link->type == FileType::symlink && fs.read_link(path) == "/dev/null") return true;
  auto info = fs.stat(path);
  if (!info) return false;
  if (info->type == FileType::char_device) return true;
  return info->type == FileType::regular && info->size == 0;
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
}

}  // namespace

const std::vector<std::string>& unit_search_path() {
  static const std::vector<std::string> kPath = {"/etc/systemd/system.control", "/run/systemd/system.control",
                                                 "/run/systemd/transient",      "/run/systemd/generator.early",
                                                 "/etc/systemd/system",         "/etc/systemd/system.attached",
                                                 "/run/systemd/system",         "/run/systemd/system.attached",
                                                 "/run/systemd/generator",      "/usr/local/lib/systemd/system",
                                                 "/lib/systemd/system",         "/usr/lib/systemd/system",
                                                 "/run/systemd/generator.late"};
  return kPath;
}

UnitFiles locate_unit(const RootFs& fs, std::string_view unit_name) {
  UnitFiles unit;
  unit.name = std::string(unit_name);
  unit.names = {unit.name};
  auto add_name = [&](const std::string& name) {
    if (std::find(unit.names.begin(), unit.names.end(), name) == unit.names.end()) unit.names.push_back(name);
  };

  // The first directory holding an entry of that name decides.
  auto find_fragment = [&](const std::string& name) -> bool {
    for (const auto& dir : unit_search_path()) {
      const std::string candidate = dir + "/" + name;
      if (!fs.lstat(candidate)) continue;
      if (masks(fs, candidate)) {
        unit.masked = true;
        unit.masked_by = candidate;
        return true;
      }
      const auto info = fs.stat(candidate);
      if (!info) {
        unit.dangling = candidate;  // systemd: "Unit NAME not found", no fallback
        return true;
      }
      if (info->type != FileType::regular) not_a_file(candidate, info->type, N_("a unit file"));
      unit.fragment = info->path;
      add_name(base_name(info->path));  // an alias asked: the real name's drop-ins apply too
      return true;
    }
    return false;
  };
  if (!find_fragment(unit.name)) {
    if (auto tmpl = template_of(unit.name)) find_fragment(*tmpl);
  }
  if (unit.masked || !unit.fragment) return unit;

  // Aliases: symlinks of the search path whose target is the same file
  // (unit_file_build_name_map(); e.g. httpd.service -> apache2.service).
  const auto type = split_name(unit.name);
  for (const auto& dir : unit_search_path()) {
    if (!is_dir(fs, dir)) continue;
    for (const auto& entry : fs.list_dir(dir)) {
      if (entry.type != FileType::symlink || !is_unit_name(entry.name)) continue;
      const auto parts = split_name(entry.name);
      if (!type || !parts || parts->type != type->type) continue;
      const auto info = fs.stat(dir + "/" + entry.name);
      if (info && info->path == *unit.fragment) add_name(entry.name);
    }
  }

  // Every directory named after the unit, in every directory of the search
  // path, then the type-level ones (dropin.c: "Add this last as it's the
  // most generic and should be able to be overridden by more specific
  // drop-ins").
  std::vector<std::string> dirs;
  for (const auto& name : unit.names) {
    for (const auto& dir : unit_search_path()) dropin_dirs_for(dir, name, dirs);
  }
  if (type) {
    for (const auto& dir : unit_search_path()) dirs.push_back(dir + "/" + type->type + ".d");
  }
  std::map<std::string, std::string> chosen;  // file name -> path (first seen wins)
  std::set<std::string> seen_dirs;
  for (const auto& dir : dirs) {
    if (!seen_dirs.insert(dir).second || !is_dir(fs, dir)) continue;
    for (const auto& entry : fs.list_dir(dir)) {
      const std::string& file = entry.name;
      if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".conf") != 0) continue;
      if (file.front() == '.') continue;  // hidden_or_backup_file(): ".x.conf" is skipped
      if (chosen.count(file) != 0) continue;
      if (chosen.size() >= kMaxDropins) {
        throw CheckError(tr("{0} has more than {1} drop-in files (last seen in {2}): not evaluated", unit.name,
                            kMaxDropins, dir),
                         dir);
      }
      chosen.emplace(file, dir + "/" + file);
    }
  }
  for (const auto& [file, path] : chosen) {  // std::map: file-name order
    if (masks(fs, path)) {
      unit.masked_dropins.push_back(path);
      continue;
    }
    const auto info = fs.stat(path);
    if (!info) continue;  // a dangling symlink: systemd skips it
    if (info->type != FileType::regular) not_a_file(path, info->type, N_("a drop-in file"));
    unit.dropins.push_back(path);
  }
  return unit;
}

std::vector<std::string> find_units(const RootFs& fs, std::string_view pattern) {
  std::set<std::string> found;
  for (const auto& dir : unit_search_path()) {
    if (!is_dir(fs, dir)) continue;
    for (const auto& entry : fs.list_dir(dir)) {
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
  const auto type = split_name(unit.fragment ? base_name(*unit.fragment) : unit.name);
  const bool service = type && type->type == "service";
  for (std::size_t i = 0; i < result.files.size(); ++i) {
    const std::string& path = result.files[i];
    const bool is_fragment = i == 0 && unit.fragment.has_value();
    const UnitFile parsed = parse_unit_file(fs.read_file(path, kMaxUnitFile));
    for (const auto& issue : parsed.issues) {
      result.issues.push_back(path + ":" + std::to_string(issue.line) + ": " + issue.message);
    }
    // Where systemd stops reading this file, and why (fatal_settings.hpp).
    std::optional<Decision> stop;
    if (parsed.fatal) stop = Decision{path, parsed.fatal->line, parsed.fatal->message};
    if (service) {
      for (const auto& a : parsed.assignments) {
        if (stop && a.line >= stop->line) break;
        if (auto why = fatal_setting_error(a.section, a.key, a.value)) {
          stop = Decision{path, a.line, a.key + "=" + a.value + ": " + *why};
          break;
        }
      }
    }
    if (stop) {
      result.issues.push_back(
          path + ":" + std::to_string(stop->line) + ": " + stop->raw +
          (is_fragment ? _(" (systemd does not load the unit)") : _(" (systemd skips the rest of this file)")));
    }
    if (is_fragment && stop) {
      result.load_failure = stop;
      return result;
    }
    for (const auto& assignment : parsed.assignments) {
      if (assignment.section != section || assignment.key != key) continue;
      Decision decision{path, assignment.line, assignment.value};
      if (stop && assignment.line >= stop->line) {
        result.skipped.push_back(std::move(decision));
        continue;
      }
      if (boolean && !parse_systemd_boolean(assignment.value)) {
        result.ignored.push_back(std::move(decision));
        continue;
      }
      // For a non-boolean setting "Key=" resets to the default: value becomes
      // empty, and the line that reset it is still the one that decided.
      if (result.decided_by) result.overridden.push_back(*result.decided_by);
      result.value = assignment.value;
      result.decided_by = std::move(decision);
    }
  }
  return result;
}

}  // namespace clinic_audit::systemd
