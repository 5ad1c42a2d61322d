#include "sudoers_grants.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace clinic_audit::sudoers {

CommandLine CommandLine::parse(const std::string& text) {
  const std::size_t space = text.find(' ');
  if (space == std::string::npos) return {text, std::nullopt};
  return {text.substr(0, space), text.substr(space + 1)};
}

bool is_shell_or_interpreter(const std::string& path) {
  static constexpr std::array<std::string_view, 34> kNames = {"sh",     "bash",   "dash",    "zsh",      "ksh",
                                                              "mksh",   "csh",    "tcsh",    "fish",     "busybox",
                                                              "rbash",  "python", "python2", "python3",  "perl",
                                                              "ruby",   "php",    "node",    "nodejs",   "lua",
                                                              "tclsh",  "wish",   "awk",     "gawk",     "mawk",
                                                              "env",    "su",     "sudo",    "sudoedit", "script",
                                                              "expect", "gdb",    "vi",      "vim"};
  const std::string base = path.substr(path.rfind('/') + 1);
  std::string stem = base;
  // python3.11, php8.2, lua5.4: versioned interpreters
  while (!stem.empty() && (std::isdigit(static_cast<unsigned char>(stem.back())) != 0 || stem.back() == '.')) {
    stem.pop_back();
  }
  return std::any_of(kNames.begin(), kNames.end(), [&](std::string_view n) { return n == base || n == stem; });
}

std::vector<std::string> broad_grant_reasons(const LeafCommand& leaf, const std::vector<CommandLine>& allowed) {
  std::vector<std::string> reasons;
  const Member& m = *leaf.command;
  const Tags& tags = leaf.command_spec->tags;
  if (m.kind == Member::Kind::all) {
    reasons.emplace_back(_("ALL: any command as the runas user"));
  } else if (m.command().empty()) {
    reasons.emplace_back(_("an empty command"));
  } else if (m.command() == "sudoedit") {
    reasons.emplace_back(_("sudoedit: edits files as root"));
  } else if (m.command() == "list") {
    // `sudo -l` of another user only discloses rules.
  } else if (!m.command().empty() && m.command()[0] == '^') {
    reasons.emplace_back(_("a regular expression command matches many programs"));
  } else if (m.command().back() == '/') {
    reasons.emplace_back(tr("a command directory: every program in {0}", m.command()));
  } else if (m.command().find_first_of("*?[") != std::string::npos) {
    reasons.emplace_back(_("a glob in the command path matches many programs"));
  } else if (is_shell_or_interpreter(m.command())) {
    reasons.emplace_back(tr("{0} is a shell or interpreter: it runs anything", m.command()));
  }
  if (tags.setenv == Tags::on) {
    reasons.emplace_back(_("SETENV: the caller may set the environment (LD_PRELOAD...) of the command"));
  }
  if (reasons.empty() && m.kind == Member::Kind::command) {
    const bool is_allowed = std::any_of(allowed.begin(), allowed.end(), [&](const CommandLine& a) {
      // An allowed line without arguments accepts the command with any
      // arguments; otherwise the arguments must be the same text.
      return a.path == m.command() && (!a.args || a.args == m.args);
    });
    if (!is_allowed) reasons.emplace_back(tr("{0} is not one of the commands the policy requires", m.command()));
  }
  return reasons;
}

}  // namespace clinic_audit::sudoers
