// What SpamAssassin 4.0.1's shipped rules say about the welcomelist and
// blocklist rules, for an audited root that has no rules directory (a
// trimmed image, a test fixture): the check then states it assumed them.
#pragma once

#include <string_view>

namespace clinic_audit::antispam {

// Label used as the "file" of the built-in rules in evidence.
inline constexpr std::string_view kSaBuiltinRulesName = "(SpamAssassin 4.0.1 default rules, built in)";

// The rules in SpamAssassin's own configuration syntax, read by the same
// SaConfigBuilder as the real files.
std::string_view sa_builtin_default_rules();

}  // namespace clinic_audit::antispam
