#include "php_ini_sources.hpp"

#include <algorithm>
#include <map>

#include "i18n.hpp"
#include "common/check.hpp"
#include "common/wildcard.hpp"

namespace clinic_audit::php {
namespace {

constexpr std::size_t kMaxIni = 4 * 1024 * 1024;
// PHP reads every *.ini of its scan directory; past this many the directory
// is not evaluated (a hostile image could hold millions: issue #20).
constexpr std::size_t kMaxScanFiles = 4096;
// All the files of one SAPI together may add this many bytes through ${...}.
constexpr std::size_t kSapiExpansionBudget = 4 * 1024 * 1024;
// And hold this many bytes of text (thousands of 4 MiB files would
// otherwise all be kept in memory: issue #20 item 4).
constexpr std::size_t kMaxTotalText = 16 * 1024 * 1024;

// Reads one more file of a set, keeping the set's total under kMaxTotalText.
std::string read_counted(const RootFs& fs, const std::string& path, std::size_t& total) {
  std::string text = fs.read_file(path, kMaxIni);
  total += text.size();
  if (total > kMaxTotalText) {
    throw CheckError(tr("the PHP configuration files read with {0} exceed {1} bytes in all: not evaluated", path,
                        kMaxTotalText),
                     path);
  }
  return text;
}

// type_of() and is_dir() (common/root_fs.hpp) follow symlinks: a dangling
// one does not exist for PHP's stat() either.

// True for a regular file, false when absent; anything else there is a file
// the program would try to read and we cannot: `error` naming it.
bool present_file(const RootFs& fs, const std::string& path) {
  const auto type = type_of(fs, path);
  if (!type) return false;
  if (*type != FileType::regular) {
    throw CheckError(tr("{0} is a {1}, not a regular file: not evaluated", path, _(to_string(*type).data())), path);
  }
  return true;
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

// Entries of `dir` whose name matches `pattern`, in byte order (list_dir
// sorts), with their type after following symlinks (nullopt: dangling).
std::vector<std::pair<std::string, std::optional<FileType>>> matching_entries(const RootFs& fs, const std::string& dir,
                                                                              const std::string& pattern) {
  std::vector<std::pair<std::string, std::optional<FileType>>> out;
  if (!is_dir(fs, dir)) return out;
  const auto entries = fs.list_dir(dir);  // unreadable directory: FsError, the check says error
  for (const auto& entry : entries) {
    if (!wildcard_match(pattern, entry.name)) continue;
    if (out.size() >= kMaxScanFiles) {
      throw CheckError(tr("{0} holds more than {1} files matching {2}: not evaluated", dir, kMaxScanFiles, pattern),
                       dir);
    }
    const std::string path = dir + "/" + entry.name;
    out.emplace_back(path, type_of(fs, path));
  }
  return out;
}

// Regular files only: what PHP's scan-dir loop and Apache's IncludeOptional
// wildcard read (php_ini.c: "if (S_ISREG(sb.st_mode))").
std::vector<std::string> matching_files(const RootFs& fs, const std::string& dir, const std::string& pattern) {
  std::vector<std::string> out;
  for (auto& [path, type] : matching_entries(fs, dir, pattern)) {
    if (type == FileType::regular) out.push_back(std::move(path));
  }
  return out;
}

std::string sapi_module_name(const std::string& sapi) {
  if (sapi == "fpm") return "fpm-fcgi";
  if (sapi == "apache2") return "apache2handler";
  if (sapi == "cgi") return "cgi-fcgi";
  return sapi;
}

// Directory of the SAPI's binary on Debian; PHP searches it for its ini
// file before PHP_CONFIG_FILE_PATH (php_ini.c "Add binary directory"). The
// Apache module has no binary of its own.
std::string binary_dir(const std::string& sapi) {
  if (sapi == "cli" || sapi == "cgi") return "/usr/bin";
  if (sapi == "fpm") return "/usr/sbin";
  return {};
}

// The ini file PHP opens: php-SAPINAME.ini, then php.ini, each looked for
// in the binary's directory, then in /etc/php/X.Y/SAPI (php_init_config();
// PHPRC and, except for the CLI, the working directory come first but are
// not files we can see). The first that exists is opened whatever it is:
// php 8.2 takes a directory named php.ini as an empty configuration and
// blocks on a FIFO; both are `error` here.
std::optional<std::string> main_ini(const RootFs& fs, const std::string& version, const std::string& sapi) {
  std::vector<std::string> dirs;
  if (!binary_dir(sapi).empty()) dirs.push_back(binary_dir(sapi));
  dirs.push_back("/etc/php/" + version + "/" + sapi);
  for (const std::string& name : {"php-" + sapi_module_name(sapi) + ".ini", std::string("php.ini")}) {
    for (const auto& dir : dirs) {
      const std::string path = dir + "/" + name;
      const auto type = type_of(fs, path);
      if (!type) continue;
      if (*type != FileType::regular) {
        throw CheckError(tr("{0} is a {1}, not a regular file: PHP would open it instead of its configuration; not "
                            "evaluated",
                            path, _(to_string(*type).data())),
                         path);
      }
      return path;
    }
  }
  return std::nullopt;
}

}  // namespace

const std::map<std::string, std::string>& cli_forced_directives() {
  static const std::map<std::string, std::string> kForced = {{"html_errors", "0"},        {"register_argc_argv", "1"},
                                                             {"implicit_flush", "1"},     {"output_buffering", "0"},
                                                             {"max_execution_time", "0"}, {"max_input_time", "-1"}};
  return kForced;
}

std::string php_temporary_directory(const std::string& sys_temp_dir, const std::string& tmpdir_env) {
  for (const std::string* candidate : {&sys_temp_dir, &tmpdir_env}) {
    // PHP measures it with strlen(): a NUL byte ends it.
    const std::string v = candidate->substr(0, candidate->find('\0'));
    if (v.size() >= 2 && v.back() == '/') return v.substr(0, v.size() - 1);
    if (!v.empty() && v.back() != '/') return v;
  }
  return "/tmp";  // P_tmpdir
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
  const auto ini = main_ini(fs, version, sapi);
  const std::string scan_dir = base + "/conf.d";
  // Without any ini file PHP still reads its scan directory
  // (PHP_CONFIG_FILE_SCAN_DIR, Debian's conf.d): the SAPI is there when
  // either exists.
  if (!ini && !is_dir(fs, scan_dir)) return std::nullopt;
  SapiConfig config{version, sapi, {}};
  std::map<std::string, std::string> earlier;
  std::vector<std::string> paths;
  if (ini) paths.push_back(*ini);
  // php_init_config(): scan-dir files whose name ends in ".ini", alphasort order.
  for (auto& p : matching_files(fs, scan_dir, "*.ini")) paths.push_back(std::move(p));
  const PhpBuild build{version, sapi};
  IniParseOptions options;
  options.variables = lookup_in(earlier);
  options.constants = [&build](std::string_view name) { return startup_constant(name, build); };
  std::size_t budget = kSapiExpansionBudget;
  std::size_t total = 0;
  for (const auto& path : paths) {
    options.expansion_budget = budget;
    IniFile parsed = parse_php_ini(read_counted(fs, path, total), options);
    budget -= std::min(budget, parsed.expanded_bytes);
    remember(parsed, earlier);
    const bool abandoned = parsed.limit.has_value();
    config.files.push_back({path, std::move(parsed)});
    if (abandoned) break;  // the check reports it; later files would only add to it
  }
  return config;
}

FpmPools load_fpm_pools(const RootFs& fs, const std::string& version) {
  FpmPools result;
  const std::string main = "/etc/php/" + version + "/fpm/php-fpm.conf";
  if (!present_file(fs, main)) return result;
  std::vector<std::string> paths = {main};
  std::map<std::string, std::string> earlier;
  std::size_t total = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (i >= 256) throw CheckError(_("php-fpm includes more than 256 files: not evaluated"), main);
    IniFile parsed = parse_php_ini(read_counted(fs, paths[i], total), lookup_in(earlier));
    if (parsed.limit) throw CheckError(parsed.limit->message, paths[i], parsed.limit->line);
    remember(parsed, earlier);
    for (const auto& e : parsed.entries) {
      if (e.section == "global") {
        if (e.key == "include" && !e.offset) {
          // include=DIR/PATTERN (php-fpm.conf(5)): a glob in the last component.
          const auto slash = e.value.rfind('/');
          if (slash != std::string::npos && slash > 0 && e.value.front() == '/') {
            // php-fpm parses every match of its glob(3): one it cannot read
            // stops it, so it is `error` here too.
            for (auto& [p, type] : matching_entries(fs, e.value.substr(0, slash), e.value.substr(slash + 1))) {
              if (type && *type != FileType::regular) {
                throw CheckError(tr("{0} is a {1}, not a regular file, and php-fpm includes it: not evaluated", p,
                                    _(to_string(*type).data())),
                                 p);
              }
              if (type) paths.push_back(std::move(p));
            }
          }
        }
        continue;
      }
      if (e.section.empty()) continue;
      if (std::find(result.pools.begin(), result.pools.end(), e.section) == result.pools.end()) {
        result.pools.push_back(e.section);
      }
      if (e.offset &&
          (e.key == "php_admin_value" || e.key == "php_value" || e.key == "php_admin_flag" || e.key == "php_flag")) {
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
  if (present_file(fs, "/etc/apache2/apache2.conf")) paths.emplace_back("/etc/apache2/apache2.conf");
  // What apache2.conf includes on Debian: IncludeOptional conf-enabled/*.conf,
  // sites-enabled/*.conf and mods-enabled/*.conf.
  for (const char* dir : {"/etc/apache2/mods-enabled", "/etc/apache2/conf-enabled", "/etc/apache2/sites-enabled"}) {
    for (auto& [p, type] : matching_entries(fs, dir, "*.conf")) {
      // Apache does not skip what its wildcard matches (server/config.c):
      // a FIFO or device stops it ("not a regular file", ap_pcfg_openfile),
      // a directory has all its files included. Either way what it holds is
      // unknown here: not evaluated (issue #20 item 2).
      if (type && *type != FileType::regular) {
        throw CheckError(tr("{0} is a {1}, not a regular file, and Apache includes it: not evaluated", p,
                            _(to_string(*type).data())),
                         p);
      }
      if (type) paths.push_back(std::move(p));
    }
  }
  for (const auto& path : paths) {
    for (auto& v : parse_apache_php_values(fs.read_file(path, kMaxIni))) out.push_back({std::move(v), path});
  }
  return out;
}

}  // namespace clinic_audit::php
