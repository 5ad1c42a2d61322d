// run_cost: what a program costs, measured by the kernel (issue #19 item 5).
//   run_cost RUNS PROGRAM [ARGS...]
// Runs PROGRAM once to warm the page cache, then RUNS times (stdout and
// stderr to /dev/null) and prints one line:
//   wall_ms=MEDIAN/MEAN cpu_ms=MEDIAN/MEAN rss_kib=MAX exit=CODE
// CPU is user + system time from wait4(2) (microseconds, children the program
// waited for included: the OpenSSL probe counts); RSS is ru_maxrss, the
// largest of the program and those children. /usr/bin/time rounds CPU to
// 10 ms, too coarse for a program that runs a few milliseconds.
// Built by tests/bench/bench_agent_run.sh with the system compiler; no
// project code.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

extern char** environ;

namespace {

struct Sample {
  double wall_ms = 0;
  double cpu_ms = 0;
  long rss_kib = 0;
  int exit_code = -1;
};

Sample run_once(char** argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  Sample s;
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ) != 0) {
    std::perror(argv[0]);
    std::exit(2);
  }
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid) {
    std::perror("wait4");
    std::exit(2);
  }
  s.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  s.cpu_ms = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
             static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
  s.rss_kib = usage.ru_maxrss;
  s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  posix_spawn_file_actions_destroy(&actions);
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || std::atoi(argv[1]) < 1) {
    std::fprintf(stderr, "usage: run_cost RUNS PROGRAM [ARGS...]\n");
    return 64;
  }
  const int runs = std::atoi(argv[1]);
  run_once(argv + 2);  // warm-up
  std::vector<double> wall, cpu;
  long rss = 0;
  int code = 0;
  for (int i = 0; i < runs; ++i) {
    const Sample s = run_once(argv + 2);
    wall.push_back(s.wall_ms);
    cpu.push_back(s.cpu_ms);
    rss = std::max(rss, s.rss_kib);
    code = s.exit_code;
  }
  std::printf("wall_ms=%.2f/%.2f cpu_ms=%.2f/%.2f rss_kib=%ld exit=%d\n", median(wall), mean(wall), median(cpu),
              mean(cpu), rss, code);
  return 0;
}
