// A model of what glibc's regcomp(3) does with an extended expression
// before it can match anything (posix/regcomp.c: parse, duplicate the
// operand of every '+' and interval, lower the tree to NFA nodes, then
// calc_eclosure), replayed step by step and counted, so that the auditor
// knows what compiling a pattern from the audited machine would cost
// without paying it.
//
// Why a replay and not a formula: the cost of calc_eclosure() comes from
// closures it leaves "incomplete" when the epsilon graph has a cycle (every
// loop over an operand that can match the empty string) and recomputes on
// every path that reaches them; how often depends on the nesting, the
// order of the nodes and the operands' copies together. A weight summed
// along the nesting let through patterns that took glibc seconds
// ("^( ( ((a?)((((ar/in/+)+)a???? ^(()(((a?)+)+)+)+)+)+)+?)+)+)+)+)+$":
// 0.4 s, 10 s under ASan; fuzz_sudoers in CI). The replay follows the same
// algorithm, so its count grows exactly as glibc's work does, and it stops
// as soon as the count passes the caller's limit: its own cost is bounded
// by the limit too.
#pragma once

#include <cstddef>
#include <string_view>

namespace clinic_audit {

struct RegcompWork {
  std::size_t nodes = 0;  // NFA nodes built (after copies and anchor duplicates)
  std::size_t steps = 0;  // closure computations plus node-set elements merged
  bool over = false;      // stopped: nodes or steps passed the limits
};

// Replays regcomp(pattern, REG_EXTENDED) (RE_SYNTAX_POSIX_EXTENDED; the
// sub-expressions kept, as without REG_NOSUB: never less work than with
// it) and stops once `max_nodes` or `max_steps` is passed.
// Where glibc would refuse the pattern (unmatched '(', a leading '*') the
// model reads on as if the character were ordinary: never less work than
// glibc does.
// The index of the ']' that closes the bracket expression opening at `i`
// (p.size() when none), as regcomp reads it (regex(7)): a ']' first (after
// an optional '^') is a member, and "[:alpha:]", "[.x.]", "[=e=]" inside are
// skipped whole, so their ']' does not close the expression.
std::size_t regex_bracket_end(std::string_view p, std::size_t i);

RegcompWork replay_regcomp(std::string_view extended_pattern, std::size_t max_nodes, std::size_t max_steps);

}  // namespace clinic_audit
