// A bound on what compiling a POSIX extended regular expression costs.
// glibc's regcomp(3) copies the operand of every '+' and "{m,n}" (stacked
// operators multiply: "a++++++++" is 2^8 copies), so a hostile sudoers file
// could make the auditor allocate gigabytes. Patterns whose estimated size
// exceeds the bound are refused before regcomp() sees them.
#pragma once

#include <cstddef>
#include <string_view>

namespace clinic_audit::sudoers {

constexpr std::size_t kMaxRegexNodes = 20000;

// Rough node count regcomp() would build for `pattern` (saturating).
std::size_t estimated_regex_nodes(std::string_view pattern);
inline bool regex_too_complex(std::string_view pattern) { return estimated_regex_nodes(pattern) > kMaxRegexNodes; }

}  // namespace clinic_audit::sudoers
