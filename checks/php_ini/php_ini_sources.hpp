// The files that configure PHP on Debian, per version and SAPI, in the order
// PHP reads them (PHP manual "The configuration file" and Debian's
// php-common README): /etc/php/X.Y/SAPI/php.ini, then every *.ini of
// /etc/php/X.Y/SAPI/conf.d (PHP_INI_SCAN_DIR) sorted by name; then the
// per-service overrides: php-fpm pools' php_admin_value[...]/php_value[...]
// and Apache's php_admin_value/php_value for mod_php.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "apache_php_values.hpp"
#include "common/root_fs.hpp"
#include "php_ini_parser.hpp"

namespace clinic_audit::php {

struct IniSource {
  std::string path;
  IniFile parsed;
};

struct SapiConfig {
  std::string version;           // "8.2"
  std::string sapi;              // apache2 | fpm | cli | cgi
  std::vector<IniSource> files;  // php.ini then conf.d/*.ini
};

// Directives the CLI SAPI forces whatever php.ini says (sapi/cli/php_cli.c
// HARDCODED_INI; PHP manual "Using PHP from the command line": "These
// directives cannot be initialized with another value from php.ini").
const std::map<std::string, std::string>& cli_forced_directives();

// The directory PHP writes temporary files to for a sys_temp_dir value
// (main/php_open_temporary_file.c, php_get_temporary_directory()): one
// trailing '/' dropped, a NUL byte ends it (strlen()); "" and a bare "/" are ignored and PHP falls back to
// $TMPDIR (`tmpdir_env`, same trimming) and then to /tmp.
std::string php_temporary_directory(const std::string& sys_temp_dir, const std::string& tmpdir_env);

// X.Y directories under /etc/php, sorted.
std::vector<std::string> php_versions(const RootFs& fs);

// nullopt when /etc/php/X.Y/SAPI/php.ini does not exist (SAPI not installed).
std::optional<SapiConfig> load_sapi(const RootFs& fs, const std::string& version, const std::string& sapi);

// One php-fpm pool override: php_admin_value[name] = value (or php_value,
// php_admin_flag, php_flag) in a pool section of the fpm configuration.
struct PoolOverride {
  std::string pool;
  std::string kind;  // php_admin_value, ...
  std::string name;
  std::string value;
  std::string path;
  int line = 0;
};

struct FpmPools {
  std::vector<std::string> pools;  // pool names seen
  std::vector<PoolOverride> overrides;
  std::vector<IniSource> files;  // php-fpm.conf and the included pool files
};

// Parses /etc/php/X.Y/fpm/php-fpm.conf and the files its include= names.
FpmPools load_fpm_pools(const RootFs& fs, const std::string& version);

struct ApacheOverride {
  ApachePhpValue value;
  std::string path;
};

// php_admin_value & co. in apache2.conf and the enabled conf, site and module files.
std::vector<ApacheOverride> load_apache_overrides(const RootFs& fs);

}  // namespace clinic_audit::php
