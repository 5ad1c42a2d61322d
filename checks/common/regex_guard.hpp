// A bound on what compiling a POSIX regular expression costs, shared by
// every check type that hands a pattern from the audited machine to glibc's
// regcomp(3) (sudoers, Postfix regexp tables, rspamd maps, amavis new_RE).
// regcomp copies the operand of every '+' and "{m,n}" (stacked operators
// multiply: "a++++++++" is 2^8 copies), so a hostile file could make the
// auditor allocate gigabytes, and quantifiers stacked on an empty-matching
// operand make it run for hours. Patterns whose estimated cost exceeds the
// bound are refused before regcomp() sees them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit {

// REG_EXTENDED or not: a basic expression (regex(7)) spells its operators
// "\\(", "\\{", and, as GNU extensions, "\\+", "\\?", "\\|".
enum class RegexSyntax { extended, basic };

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
// Both measures read an extended expression; `syntax` basic translates the
// pattern first (as glibc's parser reads it).
std::optional<std::string> regex_refusal(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended);
inline bool regex_too_complex(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended) {
  return regex_refusal(pattern, syntax).has_value();
}

// What compiling an accepted pattern costs, in rough units of regcomp work:
// its nodes plus 5 * 2^weight for stacked quantifiers (20,000 units is about
// 10 ms with glibc 2.36 on this project's machines: "(a{100}){100}" 5 ms,
// a weight-12 pattern 7 to 13 ms).
std::size_t regex_compile_cost(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended);

// The guard bounds one pattern, not a file: 64 KiB of weight-12 patterns are
// thousands of compilations, seconds (found by fuzz_sudoers). A budget is
// shared by the patterns of one input (a sudoers tree, a regexp table):
// once spent, further patterns are refused like the guard's refusals.
constexpr std::size_t kRegexCompileBudget = 200000;  // about 100 ms of regcomp
class RegexCompileBudget {
 public:
  explicit RegexCompileBudget(std::size_t limit = kRegexCompileBudget) : left_(limit) {}
  // Why `pattern` is refused (the budget is spent), or nullopt after
  // charging its cost.
  std::optional<std::string> charge(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended);

 private:
  std::size_t left_;
};

}  // namespace clinic_audit
