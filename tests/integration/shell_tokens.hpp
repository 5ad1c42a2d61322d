// Proof that a remediation command holds exactly the intended commands
// (issue #20 item 1): a tokenizer for the POSIX sh subset remediations use
// (XCU 2.3 token recognition, 2.2 quoting), and the real /bin/sh as oracle.
#pragma once

#include <string>
#include <vector>

namespace clinic_audit::testing {

struct SimpleCommand {
  std::vector<std::string> argv;       // after quote removal
  std::vector<std::string> redirects;  // targets of > >> <
};

struct Tokenized {
  std::vector<SimpleCommand> commands;  // separated by ; && || |
  bool expansion = false;      // an unquoted or double-quoted $ or ` (parameter, command, arithmetic expansion)
  bool unquoted_glob = false;  // * ? [ outside quotes (pathname expansion)
  bool control = false;        // a control character anywhere (newline included)
  bool unsupported = false;    // anything else: heredoc, &, subshell, braces, unterminated quote
  std::string why;
};

Tokenized tokenize_shell(const std::string& command);

// `sh -n -c COMMAND`: the real shell's syntax check. Empty when it passes,
// else its message.
std::string sh_syntax_error(const std::string& command);

// Runs COMMAND with the real /bin/sh in a private mount namespace where /etc
// and /tmp are empty tmpfs and no program can run (PATH empty): each of
// `commands` is replaced by a shell function that records its argv. Returns
// the recorded argv lists in order; `err` gets the shell's stderr (a
// "not found" there means the command ran something else).
std::vector<std::vector<std::string>> sh_recorded_argv(const std::string& command,
                                                       const std::vector<std::string>& commands, std::string& err);

}  // namespace clinic_audit::testing
