// Runs external programs for checks: absolute path, argument vector, no shell,
// a timeout, capped output. Checks get it through their Context so that tests
// can hand them a runner pointed at real local programs.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace clinic_audit {

struct CommandResult {
  int exit_code = -1;        // valid when !timed_out && !signaled
  bool timed_out = false;    // killed (whole process group) at the deadline
  bool signaled = false;     // died of a signal
  int signal = 0;
  std::string out;           // stdout, at most max_output bytes
  std::string err;           // stderr, at most max_output bytes
  bool out_truncated = false;
  bool err_truncated = false;
};

struct CommandSpec {
  std::filesystem::path program;          // must be absolute
  std::vector<std::string> args;          // argv[1..]
  std::chrono::milliseconds timeout{10000};
  std::size_t max_output = 64 * 1024;
  // Environment: empty means a minimal one (PATH=/usr/sbin:/usr/bin:/sbin:/bin, LANG=C).
  std::map<std::string, std::string> env;
  std::optional<std::string> stdin_data;  // nothing (EOF) when absent
};

// The program could not be started (not absolute, missing, not executable).
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult run(const CommandSpec& spec) = 0;
};

// The real runner (Boost.Process): each command in its own process group,
// killed with SIGKILL at its deadline; output drained but capped.
class ProcessRunner final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec& spec) override;

  // SIGKILLs the process group of every command still running. For a process
  // about to _Exit while a check thread is stuck in run(): its programs must
  // not outlive the auditor.
  static void kill_running();
};

}  // namespace clinic_audit
