// The sudoers scanner: the rules, start conditions and actions of sudo's
// plugins/sudoers/toke.l (sudo 1.9.13), transcribed onto LexDfa so that
// words, commands, escapes, comments and line continuations are split
// exactly where sudo splits them. Pure: text in, tokens out.
#pragma once

#include "common/regex_guard.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::sudoers {

enum class Tok {
  end,
  newline,
  comma,
  equals,
  colon,
  lparen,
  rparen,
  bang,
  plus_equals,
  minus_equals,
  defvar,
  word,
  user_group,
  netgroup,
  network,
  all,
  alias,
  command,
  digest,
  sha224,
  sha256,
  sha384,
  sha512,
  include,
  includedir,
  defaults,
  defaults_user,
  defaults_runas,
  defaults_host,
  defaults_cmnd,
  user_alias,
  host_alias,
  cmnd_alias,
  runas_alias,
  tag_nopasswd,
  tag_passwd,
  tag_noexec,
  tag_exec,
  tag_intercept,
  tag_nointercept,
  tag_setenv,
  tag_nosetenv,
  tag_log_output,
  tag_nolog_output,
  tag_log_input,
  tag_nolog_input,
  tag_mail,
  tag_nomail,
  tag_follow,
  tag_nofollow,
  timeout,
  notbefore,
  notafter,
  cwd,
  chroot,
  role,
  type,
  error,  // the scanner's own error (message in `text`)
};

struct Token {
  Tok type = Tok::end;
  std::string text;                 // word value, escapes collapsed (fill() in toke_util.c)
  std::optional<std::string> args;  // commands: arguments (fill_args())
  int line = 0;                     // sudo's this_lineno for the token
  int column = 0;                   // 1-based column in its physical line (sudolinebuf.toke_start + 1)
};

struct LexOptions {
  // visudo runs the scanner in strict mode: regular expressions are compiled
  // and an invalid one is a syntax error.
  bool strict = true;
  // Shared by the files of one tree (the loader's); each lexer has its own
  // when null. Patterns past it are refused like the guard's refusals.
  RegexCompileBudget* regex_budget = nullptr;
};

// Produces the tokens of one file on demand. After an error token the scan
// goes on where toke.l goes on, so that the parser can recover as gram.y does.
class Lexer {
 public:
  Lexer(std::string_view text, const LexOptions& options = {});
  ~Lexer();
  Lexer(const Lexer&) = delete;
  Lexer& operator=(const Lexer&) = delete;
  Token next();
  // The same into `token` (its strings' storage reused): what the parser uses.
  void next(Token& token);
  // Regular expressions the scanner did not hand to regcomp() because
  // glibc would take seconds or gigabytes to compile them (regex_guard):
  // "line:column: reason" each, in file order.
  const std::vector<std::pair<int, std::string>>& refused_regexes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Tokenises one file. Stops after the first error token (tests and tools).
std::vector<Token> tokenize(std::string_view text, const LexOptions& options = {});

// sudo reads a file line by line (toke.l sudoers_input()): a NUL ends its
// line, and a missing final newline is added.
std::string normalise_input(std::string_view text);

}  // namespace clinic_audit::sudoers
