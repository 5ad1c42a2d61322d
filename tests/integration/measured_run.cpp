#include "measured_run.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

MeasuredRun run_agent_measured(const std::vector<std::string>& args, std::chrono::seconds limit,
                               std::optional<uid_t> as_user) {
  // Output goes to files, not pipes: nothing to drain while waiting.
  const auto dir = fixture_dir("measured-run");
  std::filesystem::create_directories(dir);
  const auto out_file = dir / "stdout";
  const auto err_file = dir / "stderr";
  std::vector<std::string> argv_text{agent_binary()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env_text.push_back(std::string(name) + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || err < 0 || in < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 || ::dup2(in, 0) < 0) ::_exit(126);
    ::setpgid(0, 0);
    if (as_user) {
      const gid_t gid = static_cast<gid_t>(*as_user);
      if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 ||
          ::setresuid(*as_user, *as_user, *as_user) != 0) {
        ::_exit(126);
      }
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  MeasuredRun run;
  if (pid < 0) return run;
  int status = 0;
  struct rusage usage {};
  while (true) {
    const pid_t got = ::wait4(pid, &status, WNOHANG, &usage);
    if (got == pid) break;
    if (std::chrono::steady_clock::now() - start > limit) {
      ::kill(-pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      run.exit_code = -2;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  run.max_rss_kib = usage.ru_maxrss;
  if (run.exit_code != -2) run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = slurp(out_file);
  run.err = slurp(err_file);
  return run;
}

}  // namespace clinic_audit::testing
