// Tokens of the Perl subset amavisd-new configuration files are read with
// (see amavis_parser.hpp): quoted strings (\'\', "", q(), qw(), qr''),
// numbers, $@% variables and \\refs, barewords and punctuation; '#'
// comments, POD blocks and everything after __END__ are skipped. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::antispam {

struct PerlToken {
  enum class Kind { string, number, word, variable, ref, regexp, qw, punct, end };
  Kind kind = Kind::end;
  std::string text;
  std::string flags;
  int line = 0;
};

// The tokens of `text`, ending with one of kind `end`.
std::vector<PerlToken> lex_perl(std::string_view text);

}  // namespace clinic_audit::antispam
