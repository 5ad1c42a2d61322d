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
  int exit_code = -1;      // valid when !timed_out && !signaled
  bool timed_out = false;  // killed (whole process group) at the deadline
  // The time limit actually applied: spec.timeout, or less when the check's
  // own deadline (ScopedCheckDeadline) came first.
  std::chrono::milliseconds timeout_applied{0};
  bool clamped_to_check = false;
  bool signaled = false;  // died of a signal
  int signal = 0;
  std::string out;  // stdout, at most max_output bytes
  std::string err;  // stderr, at most max_output bytes
  bool out_truncated = false;
  bool err_truncated = false;
};

struct CommandSpec {
  std::filesystem::path program;  // must be absolute
  std::vector<std::string> args;  // argv[1..]
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

// The deadline of the check running on the calling thread, set by the
// engine's check runner for the time the check runs. A command a check starts
// is killed shortly before it (see ProcessRunner), so a program that hangs is
// reported by the check with its own words ("killed after N s") instead of
// the check being abandoned at its timeout.
class ScopedCheckDeadline {
 public:
  explicit ScopedCheckDeadline(std::chrono::steady_clock::time_point deadline);
  ~ScopedCheckDeadline();
  ScopedCheckDeadline(const ScopedCheckDeadline&) = delete;
  ScopedCheckDeadline& operator=(const ScopedCheckDeadline&) = delete;

 private:
  std::optional<std::chrono::steady_clock::time_point> previous_;
};
std::optional<std::chrono::steady_clock::time_point> current_check_deadline();

// The real runner (Boost.Process): each command in its own process group,
// killed with SIGKILL at its deadline; output drained but capped. When the
// command ends (exit or deadline) whatever is left of its process group is
// killed too, and with enable_orphan_reaping() so is every process it
// detached (double fork, setsid: issue #20 item 7).
class ProcessRunner final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec& spec) override;

  // SIGKILLs the process group of every command still running, and every
  // orphan reaping found. For a process about to _Exit while a check thread
  // is stuck in run(): its programs must not outlive the auditor.
  static void kill_running();

  // Makes this process a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER):
  // a program that daemonizes (double fork, setsid) leaves its processes to
  // us instead of init, and after each command every child of ours that
  // ProcessRunner did not start itself is such an orphan and is SIGKILLed.
  // Only for a process whose children all come from ProcessRunner (the
  // agent's main); returns false when the kernel refuses.
  static bool enable_orphan_reaping();
};

}  // namespace clinic_audit
