// Where systemd finds a unit and its drop-ins inside an audited root, and the
// effective value of one setting after every file has been applied.
//
// systemd.unit(5) "Unit File Load Path" and "Description" (drop-ins):
//   - the unit search path is walked in precedence order; the first directory
//     holding NAME wins (a symlink there is followed; one to /dev/null, or an
//     empty file, masks the unit);
//   - an instance foo@bar.service without its own file uses foo@.service;
//   - drop-ins are *.conf in NAME.d/ (for every name of the unit), the
//     template's foo@.service.d/, the dash prefixes foo-.service.d/ of
//     foo-bar.service, and the type-level service.d/, in every directory of
//     the search path; a file name met first (higher precedence directory,
//     then the more specific directory) hides the same name further down;
//     the survivors apply in file-name order, after the fragment.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/root_fs.hpp"
#include "unit_file_parser.hpp"

#include "common/wildcard.hpp"

namespace clinic_audit::systemd {

// systemd 252's system unit search path, highest precedence first
// (systemd-analyze unit-paths).
const std::vector<std::string>& unit_search_path();

struct UnitFiles {
  std::string name;                  // as asked
  std::optional<std::string> fragment;  // in-root path of the main unit file
  bool masked = false;
  std::string masked_by;             // the file or link that masks it
  std::vector<std::string> dropins;  // in-root paths, in the order systemd applies them
  std::vector<std::string> masked_dropins;
};

// Locates a unit's files. Throws FsError for I/O problems other than absence.
UnitFiles locate_unit(const RootFs& fs, std::string_view unit_name);

// Unit names (e.g. "php8.2-fpm.service") present in the search path that
// match a glob pattern ('*' and '?').
std::vector<std::string> find_units(const RootFs& fs, std::string_view pattern);

// Unit name globs: the shared matcher.
inline bool glob_match(std::string_view pattern, std::string_view text) { return wildcard_match(pattern, text); }

// One assignment as systemd applied it.
struct Decision {
  std::string path;
  int line = 0;
  std::string raw;  // text as written
};

struct EffectiveSetting {
  // Parsed files in application order, for error reporting.
  std::vector<std::string> files;
  // Last assignment that took effect; nullopt when the setting is never set.
  std::optional<Decision> decided_by;
  std::string value;  // effective raw text (empty when never set)
  // For boolean settings: assignments systemd ignored because their value is
  // not a boolean ("Failed to parse boolean value, ignoring").
  std::vector<Decision> ignored;
  std::vector<std::string> issues;  // "path:line: message" of lines systemd ignored
};

// Applies fragment then drop-ins for `[section] key`. For a boolean setting
// an unparsable value (empty included) is ignored as systemd's
// config_parse_bool does; otherwise an empty value resets to the default.
EffectiveSetting effective_setting(const RootFs& fs, const UnitFiles& unit, std::string_view section,
                                   std::string_view key, bool boolean);

}  // namespace clinic_audit::systemd
