#include "shell_tokens.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace clinic_audit::testing {
namespace {

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

struct Captured {
  int status = -1;
  std::string out, err;
};

// Runs argv (no shell in between), capturing stdout and stderr through files.
Captured run(const std::vector<std::string>& argv) {
  const auto dir = std::filesystem::temp_directory_path() / ("ca-shell-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto out_path = dir / "out", err_path = dir / "err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* out = std::freopen(out_path.c_str(), "w", stdout);
    std::FILE* err = std::freopen(err_path.c_str(), "w", stderr);
    if (out == nullptr || err == nullptr) ::_exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  Captured c;
  int status = 0;
  ::waitpid(pid, &status, 0);
  c.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  c.out = slurp(out_path);
  c.err = slurp(err_path);
  std::filesystem::remove_all(dir);
  return c;
}

}  // namespace

Tokenized tokenize_shell(const std::string& command) {
  Tokenized t;
  t.commands.emplace_back();
  std::string word;
  bool in_word = false;
  bool pending_redirect = false;
  auto end_word = [&] {
    if (!in_word) return;
    if (pending_redirect) {
      t.commands.back().redirects.push_back(word);
      pending_redirect = false;
    } else {
      t.commands.back().argv.push_back(word);
    }
    word.clear();
    in_word = false;
  };
  auto fail = [&](std::string why) {
    t.unsupported = true;
    if (t.why.empty()) t.why = std::move(why);
  };
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (is_control(c)) t.control = true;
    if (c == '\'') {
      const std::size_t close = command.find('\'', i + 1);
      if (close == std::string::npos) return fail("unterminated '"), t;
      for (std::size_t k = i + 1; k < close; ++k) {
        if (is_control(command[k])) t.control = true;
      }
      word += command.substr(i + 1, close - i - 1);
      in_word = true;
      i = close;
    } else if (c == '"') {
      std::size_t k = i + 1;
      for (; k < command.size() && command[k] != '"'; ++k) {
        if (command[k] == '$' || command[k] == '`') t.expansion = true;
        if (command[k] == '\\' && k + 1 < command.size() &&
            std::string("$`\"\\\n").find(command[k + 1]) != std::string::npos) {
          ++k;
        }
        if (is_control(command[k])) t.control = true;
        word += command[k];
      }
      if (k >= command.size()) return fail("unterminated \""), t;
      in_word = true;
      i = k;
    } else if (c == '\\') {
      if (i + 1 >= command.size()) return fail("trailing backslash"), t;
      word += command[++i];
      in_word = true;
    } else if (c == '$' || c == '`') {
      t.expansion = true;
      word += c;
      in_word = true;
    } else if (c == '*' || c == '?' || c == '[') {
      t.unquoted_glob = true;
      word += c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      end_word();
    } else if (c == ';' || c == '|' || c == '&') {
      end_word();
      if (pending_redirect) return fail("redirection without a target"), t;
      if (c == '&' && (i + 1 >= command.size() || command[i + 1] != '&')) return fail("background &"), t;
      if ((c == '&' || c == '|') && i + 1 < command.size() && command[i + 1] == c) ++i;
      t.commands.emplace_back();
    } else if (c == '>' || c == '<') {
      end_word();
      if (c == '<' && i + 1 < command.size() && command[i + 1] == '<') return fail("here-document"), t;
      if (c == '>' && i + 1 < command.size() && command[i + 1] == '>') ++i;
      pending_redirect = true;
    } else if (c == '(' || c == ')' || c == '{' || c == '}' || c == '\n' || c == '#') {
      if (c == '#' && in_word) {
        word += c;
        continue;
      }
      return fail(std::string("unsupported '") + c + "'"), t;
    } else {
      word += c;
      in_word = true;
    }
  }
  end_word();
  if (pending_redirect) fail("redirection without a target");
  for (const auto& cmd : t.commands) {
    if (cmd.argv.empty()) fail("empty command");
  }
  return t;
}

std::string sh_syntax_error(const std::string& command) {
  const Captured c = run({"/bin/sh", "-n", "-c", command});
  if (c.status == 0) return {};
  return c.err.empty() ? "sh -n exit " + std::to_string(c.status) : c.err;
}

std::vector<std::vector<std::string>> sh_recorded_argv(const std::string& command,
                                                       const std::vector<std::string>& commands, std::string& err) {
  // Functions are found before regular built-ins and utilities (XCU 2.9.1.1):
  // every listed name only records its arguments, RS-separated, GS-terminated.
  std::string script =
      "set -e; mount -t tmpfs none /etc; mount -t tmpfs none /tmp; mkdir -p /etc/sudoers.d /etc/systemd/system;"
      "exec 3>/tmp/argv; PATH=/nonexistent;"
      "record() { for a in \"$@\"; do command printf '%s\\036' \"$a\" >&3; done; command printf '\\035' >&3; };";
  for (const auto& name : commands) script += name + "() { record " + name + " \"$@\"; };";
  script += "eval \"$CA_COMMAND\"; exec 3>&-; PATH=/usr/bin:/bin; cat /tmp/argv";
  const std::string env_command = "CA_COMMAND=" + command;
  const Captured c =
      run({"/usr/bin/env", env_command, "/usr/bin/unshare", "--mount", "--fork", "/bin/sh", "-c", script});
  err = c.err;
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> current;
  std::string arg;
  for (char ch : c.out) {
    if (ch == '\036') {
      current.push_back(arg);
      arg.clear();
    } else if (ch == '\035') {
      out.push_back(current);
      current.clear();
    } else {
      arg += ch;
    }
  }
  return out;
}

}  // namespace clinic_audit::testing
