// "Did you mean" for mistyped subcommands and policy ids (issue #15 item 7).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit {

// Edit distance: insert, delete, substitute, swap two neighbours (cost 1 each).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, when it is near enough to be a typo:
// at most a third of the longer word's length (at least 1) edits away, or
// `word` is a prefix of it. Ties: the first candidate.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates);

// The first argument that is not an option (or an option's value), i.e.
// the subcommand as typed; "" when there is none. `options_with_value`
// lists the global options that take a separate value.
std::string typed_subcommand(int argc, char** argv, const std::vector<std::string>& options_with_value);

// For `--policy` ids (not file paths) that name no shipped policy: one
// line each, "unknown policy id 'X'; did you mean 'Y'? shipped policies: ...".
// Returns false when one was unknown.
bool check_policy_ids(const std::vector<std::string>& specs, const std::vector<std::string>& shipped,
                      std::ostream& err);

}  // namespace clinic_audit

namespace clinic_audit {

// False (after one line on `err` naming the nearest command and the list)
// when `typed` is not empty and not one of `names`.
bool known_subcommand(const std::string& typed, const std::vector<std::string>& names, std::ostream& err);

// `verify` without --ca: /etc/clinic-audit/ca.crt (the regional CA) when it
// exists, else /etc/clinic-audit/agent.crt (this machine's self-signed
// certificate); one line on `note` says which and why.
std::string default_trust_anchor(std::ostream& note);

}  // namespace clinic_audit
