// Discovery of per-site variable values from the audited root
// (DESIGN.md §3, issue #17 item 1): every place MedShakeEHR's own installers
// can set its root, read as Apache and sudo read them.
//
// Where MedShakeEHR's root is set (MedShakeEHR-base, read for this):
//  - installer/debian-bash-installer.sh, 2020 versions: default /home/ehr,
//    `sed -i "1iSetEnv MEDSHAKEEHRPATH $msehrPath" public_html/.htaccess`;
//    2021 to mid-2025: a file public_html/MEDSHAKEEHRPATH holding the path;
//    since 2025-08: `SetEnv MEDSHAKEEHRPATH "$msehrPath"` in the vhost, default /opt/ehr;
//  - installer/self-installer.php: both the MEDSHAKEEHRPATH file and a
//    `SetEnv MEDSHAKEEHRPATH` line prepended to public_html/.htaccess;
//  - public_html/index.php: getenv("MEDSHAKEEHRPATH"), else the file
//    MEDSHAKEEHRPATH next to it (trimmed), else it dies.
// The Apicrypt sudo grants of the seed name ${ehr_root}/apicrypt/bin/... too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apache_config.hpp"
#include "common/root_fs.hpp"
#include "policy/policy.hpp"

namespace clinic_audit {

// One value a source on the audited machine gives a variable.
struct Discovered {
  std::string value;
  std::string source;  // "FILE:LINE" (or a description when not file-based)
  std::string path;    // the file it came from ("" when none)
  std::optional<int> line;
  std::string kind;        // "apache configuration", ".htaccess", "MEDSHAKEEHRPATH file", "sudoers grant"...
  bool root_only = false;  // only root can change the file (owner root, no group/other write on the whole path)
};

// What one discovery method found: every source that names a value (not only
// the first), and what it could not read. A file it could not read may hold
// a value (a disagreeing one, or the only one): the finding is incomplete and
// nothing that depends on it can pass (issue #20 item 2).
struct DiscoveryFindings {
  std::vector<Discovered> values;
  std::vector<std::string> notes;  // unreadable files ("FILE: reason"), .htaccess Apache ignores...
  std::vector<UnreadFile> unread;  // the files that could not be read, each also in notes
};

// apache-setenv: `SetEnv NAME value` in the server configuration, and in the
// AccessFileName (.htaccess) of every DocumentRoot whose AllowOverride lets
// it set the environment (mod_env: FileInfo). A trailing '/' is dropped.
DiscoveryFindings discover_apache_setenv(const RootFs& fs, std::string_view name);

// medshakeehr-pathfile: the file NAME (MEDSHAKEEHRPATH) in a DocumentRoot,
// read as public_html/index.php reads it (newlines removed, trimmed).
DiscoveryFindings discover_path_file(const RootFs& fs, std::string_view name);

// sudoers-command: absolute commands in the files sudo reads (/etc/sudoers,
// its @includedir /etc/sudoers.d without names holding '.' or ending in '~')
// ending with one of the space-separated `suffixes`; the value is the command
// without the suffix.
DiscoveryFindings discover_sudoers_prefix(const RootFs& fs, std::string_view suffixes);

// Runs one discovery method.
DiscoveryFindings discover(const RootFs& fs, const VariableDiscovery& how);

// A discovered value is used only when it is a plausible absolute path:
// starts with '/', no control character, whitespace or shell syntax, no "."
// or ".." component, at most 1024 bytes. Returns the reason when it is not.
std::optional<std::string> implausible_path(std::string_view value);

// True when only root can change `path`: every directory on the way and the
// file itself owned by root and without group or other write permission.
bool only_root_can_change(const RootFs& fs, std::string_view path);

}  // namespace clinic_audit
