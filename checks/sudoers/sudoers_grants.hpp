// Why a grant is broader than a policy asks for: the judgements of the
// `sudoers` check, kept apart from sudo's semantics (sudoers_eval).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sudoers_eval.hpp"

namespace clinic_audit::sudoers {

// A command line a policy names: path and, when given, arguments.
struct CommandLine {
  std::string path;
  std::optional<std::string> args;  // absent: any arguments
  static CommandLine parse(const std::string& text);
  std::string text() const { return path + (args ? " " + *args : ""); }
};

// Reasons, each a sentence, why `leaf` grants more than `allowed` (an empty
// result means the grant is one of the allowed command lines, exactly).
std::vector<std::string> broad_grant_reasons(const LeafCommand& leaf, const std::vector<CommandLine>& allowed);

// Base names of shells and interpreters: running one as root is running anything.
bool is_shell_or_interpreter(const std::string& path);

}  // namespace clinic_audit::sudoers
