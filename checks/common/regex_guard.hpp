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

// Why compiling `pattern` is refused (too many nodes, stacked quantifiers
// on an empty-matching operand, or more than kMaxRegexWork steps of
// regcomp() work, below), or nullopt when regcomp() may see it.
// Both measures read an extended expression; `syntax` basic translates the
// pattern first (as glibc's parser reads it).
std::optional<std::string> regex_refusal(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended);
inline bool regex_too_complex(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended) {
  return regex_refusal(pattern, syntax).has_value();
}

// What compiling a pattern costs, in steps of glibc's own work, replayed
// (common/regcomp_model.hpp: closure computations and node-set elements
// merged, plus kRegexWorkPerNode per NFA node built). Measured with glibc
// 2.36 on this project's machines over 1,900 generated hostile patterns:
// 2 to 5 ns of regcomp() CPU per step, so kMaxRegexWork is at most about
// 10 to 20 ms for one pattern ("^a?*?*?*?*++$": 17.6 M steps, 66 ms,
// refused; "^/usr/bin/a????+++$": 36,000 steps, 0.35 ms;
// "^/usr/bin/[a-z]{1,8}$": 900). It admits the long alternations of real
// header_checks and whitelists: 1,000 words "^Subject:.*(w1|...|w1000)"
// are 2.2 M steps, 6.8 ms. A pattern past it is refused like the quick
// measures' refusals. The replay costs about what it replays, and it is
// charged to the per-input budget as well.
constexpr std::size_t kMaxRegexWork = 4000000;
constexpr std::size_t kRegexWorkPerNode = 25;
std::size_t regex_compile_cost(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended);

// The guard bounds one pattern, not a file: 64 KiB of patterns each just
// under the bound are thousands of compilations, seconds (found by
// fuzz_sudoers). A budget is shared by the patterns of one input (a sudoers
// tree, a regexp table): once spent, further patterns are refused like the
// guard's refusals.
constexpr std::size_t kRegexCompileBudget = 40000000;  // about 100 to 200 ms of regcomp, judging included
class RegexCompileBudget {
 public:
  explicit RegexCompileBudget(std::size_t limit = kRegexCompileBudget) : left_(limit) {}
  // Why `pattern` is refused (by the guard, or because the budget is
  // spent), or nullopt. Charges the work of judging it (refused or not)
  // and, when it is accepted, of compiling it.
  std::optional<std::string> charge(std::string_view pattern, RegexSyntax syntax = RegexSyntax::extended);

 private:
  std::size_t left_;
};

}  // namespace clinic_audit
