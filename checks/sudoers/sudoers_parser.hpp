// Parser for one sudoers file: the grammar of sudo's plugins/sudoers/gram.y
// (sudo 1.9.13) over the tokens of sudoers_lexer. Text in, typed structure
// out; include directives are kept as entries (sudoers_includes resolves them).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sudoers_ast.hpp"

namespace clinic_audit::sudoers {

struct SyntaxError {
  std::string file;
  int line = 0;
  std::string message;
  std::string describe() const;  // "FILE:LINE: MESSAGE" ("FILE: MESSAGE" without a line)
};

struct ParseResult {
  ParsedFile parsed;                 // what was parsed before any error
  std::optional<SyntaxError> error;  // the first error, as visudo -c would report it
};

// `file` is only used to name the file in entries and errors.
ParseResult parse_sudoers(std::string_view text, std::string_view file);

// sudoers(5) TIMEOUT: "[0-9]+[dhms]" groups or plain seconds; nullopt when invalid.
std::optional<long long> parse_timeout(std::string_view text);
// sudoers(5) NOTBEFORE/NOTAFTER generalized time, as "YYYYMMDDHHMMSSZ" in UTC.
std::optional<std::string> parse_gentime(std::string_view text);

}  // namespace clinic_audit::sudoers
