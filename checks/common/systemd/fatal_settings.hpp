// Settings whose unparsable value is fatal to the file that holds it.
//
// systemd's config parser (src/shared/conf-parser.c, config_parse() and
// next_assignment()) stops reading a file as soon as a setting's parser
// returns an error instead of logging "..., ignoring" and returning 0. Most
// parsers of src/core/load-fragment.c ignore a bad value; the few below
// return -ENOEXEC (systemd 252). The consequence differs by file:
//   - in the unit's main file (load-fragment.c unit_load_fragment()), the
//     unit fails to load: "Unit configuration has fatal error, unit will not
//     be started" (load state bad-setting);
//   - in a drop-in (load-dropin.c unit_load_dropin() ignores config_parse()'s
//     result), the rest of that drop-in is skipped and loading goes on.
// An invalid section header ("[Service] # main": conf-parser.c parse_line(),
// -EBADMSG) has the same two consequences.
//
// Verified one by one with `systemd-analyze security --offline=yes` (252):
// the fixtures tests/fixtures/systemd_unit/fatal_*.manifest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::systemd {

// Why `key=value` in [section] stops the file, or nullopt when systemd
// accepts or merely ignores it.
std::optional<std::string> fatal_setting_error(std::string_view section, std::string_view key, std::string_view value);

}  // namespace clinic_audit::systemd
