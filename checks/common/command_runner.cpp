#include "command_runner.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <csignal>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <mutex>
#include <set>
#include <utility>  // Boost 1.74 Asio uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <thread>

namespace clinic_audit {
namespace {

namespace bp = boost::process;
namespace asio = boost::asio;

// Reads a pipe to EOF, keeping at most `cap` bytes: the rest is drained and
// dropped so that a chatty program never blocks on a full pipe.
class CappedReader {
 public:
  CappedReader(bp::async_pipe& pipe, std::string& sink, bool& truncated, std::size_t cap, std::function<void()> on_done)
      : pipe_(pipe), sink_(sink), truncated_(truncated), cap_(cap), on_done_(std::move(on_done)) {}

  void start() {
    pipe_.async_read_some(asio::buffer(buffer_), [this](const boost::system::error_code& ec, std::size_t n) {
      if (n > 0) {
        std::size_t room = sink_.size() < cap_ ? cap_ - sink_.size() : 0;
        sink_.append(buffer_.data(), std::min(n, room));
        if (n > room) truncated_ = true;
      }
      if (ec) {
        on_done_();
        return;
      }
      start();
    });
  }

 private:
  bp::async_pipe& pipe_;
  std::string& sink_;
  bool& truncated_;
  std::size_t cap_;
  std::function<void()> on_done_;
  std::array<char, 16384> buffer_{};
};

// Blocks SIGPIPE in the calling thread while the program's stdin is written:
// a program that exits or closes stdin without reading it makes write(2)
// raise SIGPIPE, whose default action would kill the whole auditor. The
// write then fails with EPIPE instead; a SIGPIPE left pending by it is
// consumed before the old mask is restored. Installed only after the child
// is spawned, so that programs start with the caller's signal mask.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_);
  }
  ~SigpipeBlock() {
    if (sigismember(&old_, SIGPIPE) == 0) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      const struct timespec zero { 0, 0 };
      while (sigtimedwait(&pipe_only, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t old_{};
};

// In the child, between fork and exec: every descriptor above stderr becomes
// close-on-exec. Boost.Process's pipes are not close-on-exec, so without
// this a program started concurrently by another thread inherited this
// run's pipe ends and kept them open: the run saw no EOF until that other
// program exited, and was reported as timed out. (Marking rather than
// closing keeps Boost's own exec-error pipe working until exec.)
struct CloseInheritedFds : boost::process::extend::handler {
  template <typename Executor>
  void on_exec_setup(Executor& /*exec*/) const {
    // The agent ignores SIGPIPE (a closed stdout is a write error, exit 73);
    // an ignored disposition survives exec, so give programs the default back.
    ::signal(SIGPIPE, SIG_DFL);
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    const long max_fd = ::sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < (max_fd > 0 ? max_fd : 1024); ++fd) {
      const int flags = ::fcntl(fd, F_GETFD);
      if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
  }
};

// Process groups of the commands running now (see ProcessRunner::kill_running).
// Each command is its own group leader, so a group id is also the pid of a
// child ProcessRunner started: the orphan sweep spares exactly these.
struct RunningGroups {
  std::mutex mutex;
  std::set<pid_t> groups;
};
RunningGroups& running_groups() {
  static auto* groups = new RunningGroups;  // never destroyed: usable until _Exit
  return *groups;
}

// Removes the group from the running set when run() returns; registered by
// run() itself under the lock held while spawning.
class GroupRegistration {
 public:
  explicit GroupRegistration(pid_t group) : group_(group) {}
  ~GroupRegistration() {
    std::lock_guard lock(running_groups().mutex);
    running_groups().groups.erase(group_);
  }
  GroupRegistration(const GroupRegistration&) = delete;
  GroupRegistration& operator=(const GroupRegistration&) = delete;

 private:
  pid_t group_;
};

std::atomic<bool> reaping_enabled{false};
thread_local std::optional<std::chrono::steady_clock::time_point> thread_check_deadline;

// A command is killed this long before its check's deadline, so that the
// check can still report how it ended before the runner gives up on it.
constexpr std::chrono::milliseconds kCheckDeadlineMargin{250};

// Children of this process, from the PPid field of /proc/PID/stat (proc(5));
// the command name in parentheses may itself hold ')' or spaces.
std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> children;
  const pid_t self = ::getpid();
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (const struct dirent* entry = ::readdir(proc)) {
    const char* name = entry->d_name;
    if (name[0] < '1' || name[0] > '9') continue;
    // read(2), not an ifstream: a process exiting meanwhile makes the read
    // fail (ESRCH), which libstdc++'s filebuf turns into an exception.
    const std::string stat_path = std::string("/proc/") + name + "/stat";
    const int fd = ::open(stat_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // exited meanwhile
    std::array<char, 1024> buffer{};
    const ssize_t n = ::read(fd, buffer.data(), buffer.size() - 1);
    ::close(fd);
    if (n <= 0) continue;
    const std::string stat_line(buffer.data(), static_cast<std::size_t>(n));
    const auto close = stat_line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long parent = 0;
    if (std::sscanf(stat_line.c_str() + close + 1, " %c %ld", &state, &parent) != 2) continue;
    if (parent == self) children.push_back(static_cast<pid_t>(std::atol(name)));
  }
  ::closedir(proc);
  return children;
}

// SIGKILLs and reaps every child that is not a command ProcessRunner started:
// with the subreaper flag these are processes a command detached (their own
// parent died). Killing one hands its children to us in turn, so sweep until
// none is left (bounded, against a fork bomb racing the sweep). `wait` false
// (kill_running, about to _Exit) only kills.
void sweep_orphans(bool wait) {
  if (!reaping_enabled.load()) return;
  for (int round = 0; round < 64; ++round) {
    std::vector<pid_t> orphans;
    {
      std::lock_guard lock(running_groups().mutex);
      for (pid_t child : children_of_this_process()) {
        if (running_groups().groups.count(child) == 0) orphans.push_back(child);
      }
    }
    if (orphans.empty()) return;
    for (pid_t orphan : orphans) ::kill(orphan, SIGKILL);
    if (!wait) continue;
    for (pid_t orphan : orphans) {
      // Only this pid: waitpid(-1) would steal another command's status.
      for (int tries = 0; tries < 1000; ++tries) {
        const pid_t got = ::waitpid(orphan, nullptr, WNOHANG);
        if (got == orphan || (got < 0 && errno != EINTR)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }
}

}  // namespace

ScopedCheckDeadline::ScopedCheckDeadline(std::chrono::steady_clock::time_point deadline)
    : previous_(thread_check_deadline) {
  thread_check_deadline = deadline;
}
ScopedCheckDeadline::~ScopedCheckDeadline() { thread_check_deadline = previous_; }
std::optional<std::chrono::steady_clock::time_point> current_check_deadline() { return thread_check_deadline; }

bool ProcessRunner::enable_orphan_reaping() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) != 0) return false;
  reaping_enabled = true;
  return true;
}

void ProcessRunner::kill_running() {
  {
    std::lock_guard lock(running_groups().mutex);
    for (pid_t group : running_groups().groups) ::kill(-group, SIGKILL);
  }
  sweep_orphans(false);
}

CommandResult ProcessRunner::run(const CommandSpec& spec) {
  if (!spec.program.is_absolute()) {
    throw CommandError(tr("refusing to run '{0}': programs are run by absolute path only", spec.program.string()));
  }
  CommandResult result;
  asio::io_context io;
  bp::async_pipe out_pipe(io);
  bp::async_pipe err_pipe(io);
  bp::async_pipe in_pipe(io);
  bp::group group;

  bp::environment env;
  if (spec.env.empty()) {
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
    env["LANG"] = "C";
  } else {
    for (const auto& [key, value] : spec.env) env[key] = value;
  }

  // The applied limit: the command's own, or less when its check ends first.
  auto timeout = spec.timeout;
  if (const auto check_deadline = current_check_deadline()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *check_deadline - std::chrono::steady_clock::now() - kCheckDeadlineMargin);
    if (left < timeout) {
      timeout = std::max(left, std::chrono::milliseconds(0));
      result.clamped_to_check = true;
    }
  }
  result.timeout_applied = timeout;

  bp::child child;
  {
    // Spawned and registered under the lock the orphan sweep takes, so that
    // a sweep in another thread never takes this new child for an orphan.
    std::lock_guard lock(running_groups().mutex);
    try {
      child = bp::child(bp::exe = spec.program.string(), bp::args = spec.args, bp::std_out > out_pipe,
                        bp::std_err > err_pipe, bp::std_in < in_pipe, env, group, io, CloseInheritedFds{});
    } catch (const std::exception& e) {
      throw CommandError(tr("cannot run {0}: {1}", spec.program.string(), i18n::exception_text(e)));
    }
    running_groups().groups.insert(group.native_handle());
  }

  const GroupRegistration registration(group.native_handle());
  const SigpipeBlock no_sigpipe;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(io, deadline);
  int open_streams = 2;
  auto stream_done = [&] {
    if (--open_streams == 0) timer.cancel();
  };
  CappedReader out_reader(out_pipe, result.out, result.out_truncated, spec.max_output, stream_done);
  CappedReader err_reader(err_pipe, result.err, result.err_truncated, spec.max_output, stream_done);
  out_reader.start();
  err_reader.start();

  std::string input = spec.stdin_data.value_or("");
  if (input.empty()) {
    in_pipe.close();
  } else {
    asio::async_write(in_pipe, asio::buffer(input),
                      [&](const boost::system::error_code&, std::size_t) { in_pipe.close(); });
  }

  timer.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: both streams closed in time
    result.timed_out = true;
    std::error_code ignored;
    group.terminate(ignored);  // SIGKILL to the whole process group
    out_pipe.close();
    err_pipe.close();
    in_pipe.close();
  });
  io.run();

  // Streams are closed; the process may still be running (it closed its
  // output but did not exit). Give it until the deadline, woken the moment
  // it exits (a pidfd, pidfd_open(2)) rather than by polling: most programs
  // exit right after closing their output, and a 2 ms sleep was most of a
  // short program's cost (issue #19 item 5).
  if (!result.timed_out) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child.id(), 0));
    if (pidfd >= 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      struct pollfd exited {
        pidfd, POLLIN, 0
      };
      int ready = 0;
      do {
        ready = ::poll(&exited, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
      } while (ready < 0 && errno == EINTR);
      ::close(pidfd);
      if (ready == 0) {
        result.timed_out = true;
        std::error_code ec;
        group.terminate(ec);
      }
    }
  }
  while (!result.timed_out) {
    std::error_code ec;
    if (!child.running(ec)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      group.terminate(ec);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // Whatever is left of its process group (a background job it started) goes
  // with it; killed before the leader is reaped so the group id cannot have
  // been reused yet.
  ::kill(-group.native_handle(), SIGKILL);
  std::error_code ec;
  child.wait(ec);
  const int status = child.native_exit_code();
  sweep_orphans(true);
  if (!result.timed_out) {
    if (WIFSIGNALED(status)) {
      result.signaled = true;
      result.signal = WTERMSIG(status);
    } else {
      result.exit_code = WEXITSTATUS(status);
    }
  }
  return result;
}

}  // namespace clinic_audit
