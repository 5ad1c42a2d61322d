// Where systemd finds a unit and its drop-ins inside an audited root, and the
// effective value of one setting after every file has been applied.
//
// systemd.unit(5) "Unit File Load Path" and "Description" (drop-ins):
//   - the unit search path is walked in precedence order; the first directory
//     holding NAME wins (a symlink there is followed; one to /dev/null, or an
//     empty file, masks the unit);
//   - an instance foo@bar.service without its own file uses foo@.service;
//   - the first directory with an entry named NAME decides, even when that
//     entry is a dangling symlink: the unit is then not found, systemd does
//     not fall back to a lower directory (src/basic/unit-file.c
//     unit_file_build_name_map() records the first entry of a name);
//   - the unit's names are NAME, the name of its file, and every alias: a
//     symlink in the search path whose target is the unit's file;
//   - drop-ins are *.conf in NAME.d/ for every name of the unit, the
//     template's foo@.service.d/ and the dash prefixes foo-.service.d/ of
//     foo-bar.service, in every directory of the search path, and only then
//     the type-level service.d/ of every directory (src/shared/dropin.c
//     unit_file_find_dropin_paths(): the generic one comes last); a file name
//     met first in that directory order hides the same name further down
//     (conf_files_list_strv()); hidden files (".x.conf") are skipped
//     (hidden_or_backup_file()); the survivors apply in file-name order,
//     after the fragment.
//
// Anything in the way that we cannot read (a unit file or drop-in that is a
// FIFO or a directory, over the size cap, a directory we cannot list, a
// symlink loop) is an FsError or CheckError: the check reports `error`
// naming it, never a verdict from the rest (issue #20). systemd itself would
// skip some of these; an auditor cannot tell what was meant.
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
  std::string name;                     // as asked
  std::optional<std::string> fragment;  // in-root path of the main unit file
  // A dangling symlink that decided the name: the unit is not found.
  std::optional<std::string> dangling;
  std::vector<std::string> names;  // every name the unit has (asked, file, aliases)
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
  // Earlier assignments that took effect and were overridden by a later one.
  std::vector<Decision> overridden;
  // Lines of the checked setting systemd never reads: after a fatal line of
  // a drop-in (fatal_settings.hpp).
  std::vector<Decision> skipped;
  // The unit's main file has a fatal line: systemd does not load the unit.
  std::optional<Decision> load_failure;  // raw: the reason
  std::string value;                     // effective raw text (empty when never set)
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
