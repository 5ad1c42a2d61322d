// ProcessRunner: absolute programs only, exit status, captured and capped
// output, stdin, environment, and a timeout that kills the whole group.
#include "command_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace clinic_audit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

CommandSpec sh(std::string script) {
  CommandSpec spec;
  spec.program = "/bin/sh";
  spec.args = {"-c", std::move(script)};
  return spec;
}

// True when `pid` no longer runs (gone, or a zombie nobody reaped yet).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = content.rfind(')');
  return paren != std::string::npos && paren + 2 < content.size() &&
         (content[paren + 2] == 'Z' || content[paren + 2] == 'X');
}

bool gone_within(pid_t pid, milliseconds limit) {
  const auto end = steady_clock::now() + limit;
  while (steady_clock::now() < end) {
    if (process_gone(pid)) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return process_gone(pid);
}

TEST(ProcessRunner, ExitCodesAndOutputs) {
  ProcessRunner runner;
  const auto ok = runner.run(sh("echo out; echo err >&2"));
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_FALSE(ok.timed_out);
  EXPECT_FALSE(ok.signaled);
  EXPECT_EQ(ok.signal, 0);
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");
  EXPECT_FALSE(ok.out_truncated);
  EXPECT_FALSE(ok.err_truncated);

  for (int code : {1, 2, 3, 7, 126, 255}) {
    const auto r = runner.run(sh("exit " + std::to_string(code)));
    EXPECT_EQ(r.exit_code, code);
    EXPECT_FALSE(r.signaled);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
  }
}

TEST(ProcessRunner, ArgumentsArePassedVerbatimWithoutAShell) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/printf";
  spec.args = {"[%s]\\n", "a b", "$HOME", "*", "'q'", ""};
  const auto r = runner.run(spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "[a b]\n[$HOME]\n[*]\n['q']\n[]\n");
}

TEST(ProcessRunner, SignalIsReported) {
  ProcessRunner runner;
  const auto r = runner.run(sh("echo before; kill -SEGV $$"));
  EXPECT_TRUE(r.signaled);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "before\n");
}

TEST(ProcessRunner, OutputIsCappedButDrained) {
  ProcessRunner runner;
  // 10 MB on stdout and 3 MB on stderr: the program must finish (the pipes
  // are drained) and only the first max_output bytes are kept.
  CommandSpec spec =
      sh("head -c 10485760 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero | tr '\\0' b >&2; echo done >&2");
  spec.max_output = 1000;
  spec.timeout = seconds(20);
  const auto start = steady_clock::now();
  const auto r = runner.run(spec);
  EXPECT_LT(steady_clock::now() - start, seconds(15));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string(1000, 'a'));
  EXPECT_EQ(r.err, std::string(1000, 'b'));
  EXPECT_TRUE(r.out_truncated);
  EXPECT_TRUE(r.err_truncated);

  // Exactly at the cap is not truncated.
  spec = sh("head -c 1000 /dev/zero | tr '\\0' c");
  spec.max_output = 1000;
  const auto exact = runner.run(spec);
  EXPECT_EQ(exact.out, std::string(1000, 'c'));
  EXPECT_FALSE(exact.out_truncated);
}

TEST(ProcessRunner, TimeoutKillsTheProgramAndItsChildren) {
  ProcessRunner runner;
  // The grandchild keeps stdout open; its pid is the first line.
  CommandSpec spec = sh("sleep 30 & echo $!; sleep 30");
  spec.timeout = milliseconds(500);
  const auto start = steady_clock::now();
  const auto r = runner.run(spec);
  const auto elapsed = steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.signaled);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_GE(elapsed, milliseconds(450));
  EXPECT_LT(elapsed, seconds(5));
  const pid_t grandchild = static_cast<pid_t>(std::stol(r.out));
  ASSERT_GT(grandchild, 1);
  EXPECT_TRUE(gone_within(grandchild, seconds(2))) << "background sleep " << grandchild << " survived the timeout";
  if (!process_gone(grandchild)) ::kill(grandchild, SIGKILL);
}

TEST(ProcessRunner, TimeoutAppliesWhenTheProgramClosesItsOutput) {
  ProcessRunner runner;
  // No open stream is left to wait on: the deadline must still hold.
  CommandSpec spec = sh("exec >/dev/null 2>&1 </dev/null; sleep 30");
  spec.timeout = milliseconds(300);
  const auto start = steady_clock::now();
  const auto r = runner.run(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(steady_clock::now() - start, seconds(5));
}

TEST(ProcessRunner, ProgramMustBeAbsolute) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "sh";
  try {
    runner.run(spec);
    ADD_FAILURE() << "ran a relative program";
  } catch (const CommandError& e) {
    EXPECT_EQ(std::string(e.what()), "refusing to run 'sh': programs are run by absolute path only");
  }
  spec.program = "bin/sh";
  EXPECT_THROW(runner.run(spec), CommandError);
}

TEST(ProcessRunner, MissingOrNonExecutableProgramIsACommandError) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/nonexistent/plugin";
  try {
    runner.run(spec);
    ADD_FAILURE() << "no error for a missing program";
  } catch (const CommandError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cannot run /nonexistent/plugin: ", 0), 0u) << e.what();
  }
  spec.program = "/etc/hostname";  // exists, not executable
  EXPECT_THROW(runner.run(spec), CommandError);
}

TEST(ProcessRunner, StdinData) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/tr";
  spec.args = {"a-z", "A-Z"};
  spec.stdin_data = "hello\nworld";
  const auto r = runner.run(spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "HELLO\nWORLD");

  // No stdin data: EOF at once.
  spec.program = "/usr/bin/wc";
  spec.args = {"-c"};
  spec.stdin_data.reset();
  EXPECT_EQ(runner.run(spec).out, "0\n");

  // A large input passes through whole.
  spec.stdin_data = std::string(1 << 20, 'x');
  EXPECT_EQ(runner.run(spec).out, "1048576\n");
}

TEST(ProcessRunner, StdinIgnoredByTheProgramDoesNotKillTheAuditor) {
  // Writing to a pipe nobody reads raises SIGPIPE in the writer.
  ProcessRunner runner;
  CommandSpec spec = sh("exec 0<&-; echo closed");
  spec.stdin_data = std::string(4 << 20, 'x');
  spec.timeout = seconds(10);
  const auto r = runner.run(spec);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "closed\n");
}

TEST(ProcessRunner, ConcurrentRunsFromManyThreads) {
  // The engine runs checks concurrently: each run must get its own output,
  // exit code and timeout, whatever the others do meanwhile.
  ProcessRunner runner;
  constexpr int kThreads = 8;
  std::vector<CommandResult> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&runner, &results, i] {
      CommandSpec spec = i % 4 == 3 ? sh("echo slow" + std::to_string(i) + "; sleep 30")
                                    : sh("sleep 0.2; echo out" + std::to_string(i) + "; echo err" + std::to_string(i) +
                                         " >&2; exit " + std::to_string(i));
      spec.timeout = milliseconds(4000);  // generous: fast runs take 0.2 s even on a loaded CI machine
      results[static_cast<std::size_t>(i)] = runner.run(spec);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    if (i % 4 == 3) {
      EXPECT_TRUE(r.timed_out) << i;
      EXPECT_EQ(r.out, "slow" + std::to_string(i) + "\n");
    } else {
      EXPECT_FALSE(r.timed_out) << i;
      EXPECT_EQ(r.exit_code, i);
      EXPECT_EQ(r.out, "out" + std::to_string(i) + "\n");
      EXPECT_EQ(r.err, "err" + std::to_string(i) + "\n");
    }
  }
}

TEST(ProcessRunner, ProgramsInheritNoDescriptorButStdio) {
  // A descriptor of the auditor without close-on-exec (a leaked one, or
  // another run's pipe) must not reach the program.
  const int leaked = ::open("/etc/hostname", O_RDONLY);
  ASSERT_GE(leaked, 3);
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/bin/ls";
  spec.args = {"/proc/self/fd"};
  const auto r = runner.run(spec);
  ::close(leaked);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "0\n1\n2\n3\n");  // 3: the directory ls is reading
}

std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

TEST(ProcessRunner, Environment) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/env";
  EXPECT_EQ(lines(runner.run(spec).out), (std::set<std::string>{"LANG=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}));
  spec.env = {{"ONLY", "this"}, {"CLINIC_AUDIT_ROOT", "/mnt/image"}};
  EXPECT_EQ(lines(runner.run(spec).out), (std::set<std::string>{"ONLY=this", "CLINIC_AUDIT_ROOT=/mnt/image"}));
}

}  // namespace
}  // namespace clinic_audit

namespace clinic_audit {
namespace {

// Issue #20 item 7: a command never outlives the check that started it.
TEST(CheckDeadline, CommandLimitIsClampedToTheCheckDeadline) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/bin/sleep";
  spec.args = {"30"};
  spec.timeout = std::chrono::seconds(60);
  const auto start = std::chrono::steady_clock::now();
  CommandResult result;
  {
    const ScopedCheckDeadline deadline(start + std::chrono::seconds(1));
    result = runner.run(spec);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(result.timed_out);
  EXPECT_TRUE(result.clamped_to_check);
  EXPECT_LE(result.timeout_applied, std::chrono::milliseconds(750));
  EXPECT_GE(result.timeout_applied, std::chrono::milliseconds(500));
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  EXPECT_FALSE(current_check_deadline().has_value()) << "the scope restores no deadline";
}

TEST(CheckDeadline, WithoutADeadlineTheCommandsOwnLimitApplies) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/bin/true";
  spec.timeout = std::chrono::seconds(5);
  const CommandResult result = runner.run(spec);
  EXPECT_FALSE(result.clamped_to_check);
  EXPECT_EQ(result.timeout_applied, std::chrono::seconds(5));
  EXPECT_EQ(result.exit_code, 0);
}

}  // namespace
}  // namespace clinic_audit
