// A bound on what compiling a POSIX extended regular expression costs.
// glibc's regcomp(3) copies the operand of every '+' and "{m,n}" (stacked
// operators multiply: "a++++++++" is 2^8 copies), so a hostile sudoers file
// could make the auditor allocate gigabytes. Patterns whose estimated size
// exceeds the bound are refused before regcomp() sees them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::sudoers {

constexpr std::size_t kMaxRegexNodes = 20000;

// Rough node count regcomp() would build for `pattern` (saturating).
std::size_t estimated_regex_nodes(std::string_view pattern);
// Quantifiers stacked on an operand that can match the empty string
// ("a?+++", "((a?)+)+", "a?*?*") make glibc's regcomp() run in time
// exponential in their number (7 '+' after "a????": 6.5 s; measured on
// glibc 2.36). Weight: 3 per '+' or interval, 1 per '?' or '*', summed along
// the nesting; above kMaxNullableWeight the pattern is refused.
constexpr int kMaxNullableWeight = 12;
int nullable_quantifier_weight(std::string_view pattern);

// Why compiling `pattern` is refused (too many nodes, or stacked quantifiers
// on an empty-matching operand), or nullopt when regcomp() may see it.
std::optional<std::string> regex_refusal(std::string_view pattern);
inline bool regex_too_complex(std::string_view pattern) { return regex_refusal(pattern).has_value(); }

}  // namespace clinic_audit::sudoers
