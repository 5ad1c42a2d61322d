// Whole-string shell-style wildcard match: '*' matches any run (also empty),
// '?' exactly one character; no character classes. Case-sensitive: callers
// that want case-insensitive matching lower-case both sides.
// Used for systemd unit name globs (systemctl's fnmatch-style patterns) and
// SpamAssassin's welcomelist_from globs (Mail::SpamAssassin::Conf).
#pragma once

#include <string_view>

namespace clinic_audit {

// Linear time with one backtrack point: hostile patterns cannot explode.
bool wildcard_match(std::string_view pattern, std::string_view text);

}  // namespace clinic_audit
