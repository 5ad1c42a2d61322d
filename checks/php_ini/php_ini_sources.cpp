#include "php_ini_sources.hpp"

#include <algorithm>
#include <map>

#include "systemd_unit/unit_resolver.hpp"

namespace clinic_audit::php {
namespace {

constexpr std::size_t kMaxIni = 4 * 1024 * 1024;

bool is_dir(const RootFs& fs, const std::string& path) {
  try {
    auto info = fs.stat(path);
    return info && info->type == FileType::directory;
  } catch (const FsError&) {
    return false;
  }
}

bool is_regular(const RootFs& fs, const std::string& path) {
  try {
    auto info = fs.stat(path);
    return info && info->type == FileType::regular;
  } catch (const FsError&) {
    return false;
  }
}

// ${VAR} of one file sees the directives of the files read before it
// (zend_ini_get_var(): configuration first, then the environment, which an
// audit of files cannot know).
IniVarLookup lookup_in(const std::map<std::string, std::string>& earlier) {
  return [&earlier](std::string_view name) -> std::optional<std::string> {
    auto it = earlier.find(std::string(name));
    if (it == earlier.end()) return std::nullopt;
    return it->second;
  };
}

void remember(const IniFile& file, std::map<std::string, std::string>& earlier) {
  for (const auto& e : file.entries) {
    if (!e.offset && !e.special_section) earlier[e.key] = e.value;
  }
}

// Files of `dir` whose name matches `pattern`, in byte order (list_dir sorts).
std::vector<std::string> matching_files(const RootFs& fs, const std::string& dir, const std::string& pattern) {
  std::vector<std::string> out;
  if (!is_dir(fs, dir)) return out;
  std::vector<DirEntry> entries;
  try {
    entries = fs.list_dir(dir);
  } catch (const FsError&) {
    return out;  // PHP's scandir() failing skips the directory too
  }
  for (const auto& entry : entries) {
    if (!systemd::glob_match(pattern, entry.name)) continue;
    const std::string path = dir + "/" + entry.name;
    if (is_regular(fs, path)) out.push_back(path);
  }
  return out;
}

}  // namespace

const std::map<std::string, std::string>& cli_forced_directives() {
  static const std::map<std::string, std::string> kForced = {
      {"html_errors", "0"},         {"register_argc_argv", "1"}, {"implicit_flush", "1"},
      {"output_buffering", "0"},    {"max_execution_time", "0"}, {"max_input_time", "-1"}};
  return kForced;
}

std::vector<std::string> php_versions(const RootFs& fs) {
  std::vector<std::string> versions;
  if (!is_dir(fs, "/etc/php")) return versions;
  for (const auto& entry : fs.list_dir("/etc/php")) {
    const std::string& n = entry.name;
    const auto dot = n.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == n.size()) continue;
    if (n.find_first_not_of("0123456789.") != std::string::npos) continue;
    if (is_dir(fs, "/etc/php/" + n)) versions.push_back(n);
  }
  return versions;
}

std::optional<SapiConfig> load_sapi(const RootFs& fs, const std::string& version, const std::string& sapi) {
  const std::string base = "/etc/php/" + version + "/" + sapi;
  const std::string ini = base + "/php.ini";
  if (!is_regular(fs, ini)) return std::nullopt;
  SapiConfig config{version, sapi, {}};
  std::map<std::string, std::string> earlier;
  std::vector<std::string> paths = {ini};
  // php_init_config(): scan-dir files whose name ends in ".ini", alphasort order.
  for (auto& p : matching_files(fs, base + "/conf.d", "*.ini")) paths.push_back(std::move(p));
  for (const auto& path : paths) {
    IniFile parsed = parse_php_ini(fs.read_file(path, kMaxIni), lookup_in(earlier));
    remember(parsed, earlier);
    config.files.push_back({path, std::move(parsed)});
  }
  return config;
}

FpmPools load_fpm_pools(const RootFs& fs, const std::string& version) {
  FpmPools result;
  const std::string main = "/etc/php/" + version + "/fpm/php-fpm.conf";
  if (!is_regular(fs, main)) return result;
  std::vector<std::string> paths = {main};
  std::map<std::string, std::string> earlier;
  for (std::size_t i = 0; i < paths.size() && i < 256; ++i) {
    IniFile parsed = parse_php_ini(fs.read_file(paths[i], kMaxIni), lookup_in(earlier));
    remember(parsed, earlier);
    for (const auto& e : parsed.entries) {
      if (e.section == "global") {
        if (e.key == "include" && !e.offset) {
          // include=DIR/PATTERN (php-fpm.conf(5)): a glob in the last component.
          const auto slash = e.value.rfind('/');
          if (slash != std::string::npos && slash > 0 && e.value.front() == '/') {
            for (auto& p : matching_files(fs, e.value.substr(0, slash), e.value.substr(slash + 1))) {
              paths.push_back(std::move(p));
            }
          }
        }
        continue;
      }
      if (e.section.empty()) continue;
      if (std::find(result.pools.begin(), result.pools.end(), e.section) == result.pools.end()) {
        result.pools.push_back(e.section);
      }
      if (e.offset && (e.key == "php_admin_value" || e.key == "php_value" || e.key == "php_admin_flag" ||
                       e.key == "php_flag")) {
        result.overrides.push_back({e.section, e.key, *e.offset, e.value, paths[i], e.line});
      }
    }
    result.files.push_back({paths[i], std::move(parsed)});
  }
  return result;
}

std::vector<ApacheOverride> load_apache_overrides(const RootFs& fs) {
  std::vector<ApacheOverride> out;
  std::vector<std::string> paths;
  if (is_regular(fs, "/etc/apache2/apache2.conf")) paths.emplace_back("/etc/apache2/apache2.conf");
  // What apache2.conf includes on Debian: IncludeOptional conf-enabled/*.conf,
  // sites-enabled/*.conf and mods-enabled/*.conf.
  for (const char* dir : {"/etc/apache2/mods-enabled", "/etc/apache2/conf-enabled", "/etc/apache2/sites-enabled"}) {
    for (auto& p : matching_files(fs, dir, "*.conf")) paths.push_back(std::move(p));
  }
  for (const auto& path : paths) {
    for (auto& v : parse_apache_php_values(fs.read_file(path, kMaxIni))) out.push_back({std::move(v), path});
  }
  return out;
}

}  // namespace clinic_audit::php
