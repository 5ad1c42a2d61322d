// Vocabulary shared by the per-filter evaluators of the `antispam` check:
// the sender under test, the per-filter verdict, and small text helpers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/regex_guard.hpp"
#include "common/result.hpp"
#include "common/text.hpp"

#include "common/wildcard.hpp"

namespace clinic_audit::antispam {

// The envelope/header sender whose mail must not be filtered (seed
// 000_454215b966676928.txt section 3: votre-teleconsultation@visiotlm.esante-bretagne.fr).
struct Sender {
  std::string address;  // lower case, local@domain
  std::string local;
  std::string domain;
};

// Lower-cases and splits `text` at its last '@'; nullopt when it is not local@domain.
std::optional<Sender> parse_sender(std::string_view text);

// What the check knows about how the sender's mail arrives.
struct SenderOptions {
  Sender sender;
  // The relay that hands the mail to this machine, as a Received header's
  // TCP-info shows it: reverse-DNS name and/or "[IP]". Empty when unknown
  // (then relay-bound entries are reported as conditional, not evaluated).
  std::string relay;     // name, lower case
  std::string relay_ip;  // address without brackets
  // Whether the sender's mail passes SPF or DKIM (needed by welcomelist_auth).
  bool authenticated = true;
  // A score entry at or below this counts as whitelisting (rspamd, amavis).
  double whitelist_score = -10.0;
  // The recipient (amavisd-new looks @score_sender_maps up by recipient);
  // empty: every recipient the maps name is tried.
  std::string recipient;
};

enum class FilterState {
  whitelisted,      // the filter lets the sender through
  not_whitelisted,  // the filter may still score or reject the sender
  not_filtering,    // installed, but it does not filter senders (informational)
  error,            // could not be evaluated
};

struct FilterVerdict {
  std::string filter;  // "SpamAssassin", "Postfix", "rspamd", "amavisd-new", "postgrey"
  FilterState state = FilterState::error;
  std::string summary;
  std::vector<Evidence> evidence;
  std::string remediation;  // prose: what to change where, and why
  // POSIX sh command lines that apply the fix (values shell-quoted).
  std::vector<std::string> remediation_commands;
  // For a whitelisted verdict that holds only under a condition the check
  // cannot observe (an SPF/DKIM pass at delivery): the condition, stated in
  // the check's summary.
  std::string condition;
};

std::string ascii_lower(std::string_view text);
using clinic_audit::trim;  // common/text.hpp: isspace() characters
// Splits on runs of spaces and tabs.
std::vector<std::string> split_ws(std::string_view text);
// Lines of `text` without their terminators ('\n', optional '\r' before it).
using clinic_audit::split_lines;
// Whole-string glob match ('*', '?'): the shared matcher.
inline bool glob_match(std::string_view pattern, std::string_view text) { return wildcard_match(pattern, text); }
// Why a regular expression from the audited machine is not handed to glibc's
// regcomp/regexec (too long, a back-reference, or what the shared regex
// guard refuses: "(a{255}){255}", "a????+++++++"), or nullopt when it may
// be: such patterns are reported, not evaluated. With a `budget` (one per
// table), the patterns of one file share it (common/regex_guard.hpp).
std::optional<std::string> regex_refusal_for_lookup(const std::string& pattern,
                                                    RegexSyntax syntax = RegexSyntax::extended,
                                                    RegexCompileBudget* budget = nullptr);
inline bool lookup_regex_too_complex(const std::string& pattern, RegexSyntax syntax = RegexSyntax::extended) {
  return regex_refusal_for_lookup(pattern, syntax).has_value();
}
// Whether `text` matches the Perl or PCRE `pattern` (amavis new_RE, rspamd
// maps and settings): translated to POSIX (perl_regex.hpp), compiled only
// once the guard above lets the translation through; nullopt, and `why`,
// when it cannot be translated, the guard refuses it or regcomp rejects
// it: such a pattern is never taken for "no match".
std::optional<bool> guarded_perl_match(const std::string& pattern, const std::string& text, bool icase,
                                       std::string& why);

}  // namespace clinic_audit::antispam
