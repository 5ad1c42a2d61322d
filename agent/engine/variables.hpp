// Policy variables: `${name}` in defaults, parameters, titles and remediation.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/root_fs.hpp"
#include "config/site_config.hpp"
#include "discovery.hpp"
#include "policy/load_error.hpp"
#include "policy/policy.hpp"

namespace clinic_audit {

// A discovered value that was not used as the variable's value, and why.
struct RejectedValue {
  Discovered found;
  std::string reason;
};

struct ResolvedVariable {
  std::string value;
  std::string origin;  // "default", the site configuration file, "discovered from FILE:LINE" (as before)
  // Where the value came from, for every report (issue #17 item 1):
  // "discovered", "site configuration" or "policy default"; `source` is the
  // FILE:LINE (discovered), the configuration file, or the policy file.
  std::string origin_kind;
  std::string source;
  std::vector<Discovered> agreeing;     // other sources naming the same value
  std::vector<RejectedValue> rejected;  // implausible, or disagreeing with the value used
  std::vector<std::string> notes;       // what discovery could not read or Apache ignores
  // Plausible sources disagree on the value (or it derives from such a
  // variable): commands built with it would act on a path that may be wrong,
  // so they are withheld until the disagreement is settled.
  bool disputed = false;
  // Files discovery could not read (issue #20 item 2): one may set this
  // variable, or a disagreeing value, so the value is not known and every
  // check using it says `error` naming them. A variable whose default uses
  // such a variable inherits its files.
  std::vector<UnreadFile> unread;
};
using VariableMap = std::map<std::string, ResolvedVariable, std::less<>>;

// Bounds on what expansion may produce (issue #20 item 4: a variable whose
// default repeats the previous one ten times, declared twenty times over, is
// 10^20 bytes). One expanded text is at most kMaxExpandedBytes; all the
// expansions of one plan together at most kMaxExpandedTotal. Past either, the
// text is cut and a LoadError names the file and line (exit 65).
inline constexpr std::size_t kMaxExpandedBytes = 64 * 1024;
inline constexpr std::size_t kMaxExpandedTotal = 16 * 1024 * 1024;

struct ExpansionBudget {
  std::size_t left = kMaxExpandedTotal;
  bool reported = false;  // the total was exceeded and said once
};

// Replaces every `${name}` with its value; `$${` stands for a literal `${`.
// An unknown or unterminated reference, or an expansion over the bounds
// above, is a LoadError at (file, line). `budget`, when given, is shared by
// all the expansions of a run.
std::string expand_variables(std::string_view text, const VariableMap& vars, const std::string& file, int line,
                             std::vector<LoadError>& errors, ExpansionBudget* budget = nullptr);

// The same for one command line of a remediation (issue #20 item 1): each
// value is inserted as one shell word (shell_word(): quoted unless it is
// plainly safe), so no value can add a command. A reference inside '...' or
// "..." of the template is a LoadError (quoting would not hold there). A value
// holding a control character is never put into a command: `refused` gets
// the reason and the command is not returned.
std::optional<std::string> expand_command(std::string_view text, const VariableMap& vars, const std::string& file,
                                          int line, std::vector<LoadError>& errors, std::string& refused);

// The variables referenced in `text` whose value is not known because
// discovery could not read a file, with those files (each file once).
struct UnknownInputs {
  std::vector<std::string> variables;
  std::vector<UnreadFile> files;
  bool empty() const { return variables.empty(); }
  void merge(const UnknownInputs& other);
};
UnknownInputs unknown_inputs(std::string_view text, const VariableMap& vars);

// The first variable referenced in `text` whose value is disputed; "" when none.
std::string disputed_variable(std::string_view text, const VariableMap& vars);

// Resolves a policy's variables in declaration order (a default may use the
// variables declared before it). Precedence, per DESIGN.md §3 and the seed's
// deployment: discovered on the host, else the site configuration, else the
// policy default. Among discovered values: implausible ones (not an absolute
// path free of shell syntax) are rejected; a source only root can change
// beats one www-data could write (.htaccess, the EHR tree), whatever the
// order; otherwise the policy's order of methods, then the file order.
VariableMap resolve_variables(const Policy& policy, const SiteConfig& config, const RootFs& fs,
                              std::vector<LoadError>& errors, ExpansionBudget* budget = nullptr);

}  // namespace clinic_audit
