// Parser for one sudoers file: the grammar of sudo's plugins/sudoers/gram.y
// (sudo 1.9.13) over the tokens of sudoers_lexer. Text in, typed structure
// out; include directives are kept as entries (sudoers_includes resolves them).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/regex_guard.hpp"
#include "sudoers_ast.hpp"

namespace clinic_audit::sudoers {

struct SyntaxError {
  std::string file;
  int line = 0;
  std::string message;
  int column = 0;  // 1-based, as visudo prints it (0: unknown)
  // What on that line likely caused it, e.g. a non-breaking space pasted from
  // a web page: "line 3 has U+00A0 (no-break space) at column 20".
  std::string hint;
  std::string describe() const;  // "FILE:LINE:COL: MESSAGE" ("FILE: MESSAGE" without a line)
};

// gram.y's error recovery (sudo >= 1.9.4, sudo.conf "error_recovery", on by
// default): an entry with a syntax error is dropped up to its newline and
// parsing goes on; a privilege after ':' that fails is dropped alone when
// the entry resumes at the next ':' or newline; an @include with trailing
// garbage is still read; aliases whose list was complete are kept.
struct ParseResult {
  ParsedFile parsed;                 // every entry sudo keeps
  std::optional<SyntaxError> error;  // the first error, as visudo -c reports it first
  std::vector<SyntaxError> errors;   // every error, in order (visudo -c prints them all)
  // Regular expressions not compiled (regex_guard): sudo would try.
  std::vector<SyntaxError> refused_regexes;
};

// `file` is only used to name the file in entries and errors.
ParseResult parse_sudoers(std::string_view text, std::string_view file);
// The same, sharing repeated user, host and Runas lists with the lists
// `lists` has seen (the loader's, across the files of a tree), and the
// regcomp budget of the tree (one of this parse's own when null).
class ListSharer;
ParseResult parse_sudoers(std::string_view text, std::string_view file, ListSharer& lists,
                          RegexCompileBudget* regex_budget = nullptr);

// sudoers(5) TIMEOUT: "[0-9]+[dhms]" groups or plain seconds; nullopt when invalid.
std::optional<long long> parse_timeout(std::string_view text);
// sudoers(5) NOTBEFORE/NOTAFTER generalized time, as "YYYYMMDDHHMMSSZ" in UTC.
std::optional<std::string> parse_gentime(std::string_view text);

}  // namespace clinic_audit::sudoers
