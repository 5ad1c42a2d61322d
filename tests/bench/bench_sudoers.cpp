// Cost of the two sudoers checks of apicrypt-v1 (grants, no-broader-grant)
// next to `visudo -c -f` on the same files (issue #16 item 5): generated
// trees of 1k/10k/100k rules in one file, and 10,000 files of one rule in
// sudoers.d. Each measurement runs in its own child process so that its peak
// RSS (getrusage of that child) is its own; wall time is the best of 3.
// "both" runs the two checks in one process, concurrently, as the agent does.
//   build/<preset>/tests/bench/bench_sudoers [RULES...]
//   build/<preset>/tests/bench/bench_sudoers --check ROOT grants|broader   (one run, for perf record)
// Run as root (the tree must be root-owned, as sudo requires).
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/command_runner.hpp"
#include "common/context.hpp"
#include "common/params.hpp"
#include "common/root_fs.hpp"
#include "sudoers/sudoers_check.hpp"

namespace {

namespace fs = std::filesystem;
using namespace clinic_audit;

const char* const kBin = "/home/EHR/apicrypt/bin/";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read);
}

// A mix of what real files hold; www-data appears in a tenth of the rules.
std::string rule(int i) {
  const std::string n = std::to_string(i);
  switch (i % 10) {
    case 0: return "www-data ALL=(ALL) NOPASSWD: /opt/app" + n + "/bin/tool, !/opt/app" + n + "/bin/tool --unsafe\n";
    case 1: return "user" + n + " host" + n + ", !gw = (root:adm) /usr/bin/prog" + n + " *\n";
    case 2: return "%group" + n + " ALL = NOEXEC: /usr/bin/less /var/log/app" + n + ", EXEC: /usr/bin/vi\n";
    case 3: return "Cmnd_Alias C" + n + " = /usr/local/bin/c" + n + ", /usr/local/sbin/*\n";
    case 4: return "user" + n + " ALL = C" + std::to_string(i - 1) + ", sudoedit /etc/app" + n + "\n";
    case 5: return "Defaults:user" + n + " timestamp_timeout=" + std::to_string(i % 60) + "\n";
    case 6:
      return "user" + n + ",user" + std::to_string(i + 1) + " ALL = (operator) TIMEOUT=5m /bin/systemctl restart s" +
             n + "\n";
    case 7: return "#" + std::to_string(1000 + i) + " ALL = /usr/bin/id \"\"\n";
    case 8: return "User_Alias U" + n + " = user" + n + ", %staff, !nobody\n";
    default: return "U" + std::to_string(i - 1) + " ALL = NOPASSWD: /usr/bin/backup" + n + " --daily\n";
  }
}

std::string grants_text() {
  std::string out;
  for (const char* b : {"apicrypt", "apicryptpj", "apiuncrypt", "apiuncryptpj"}) {
    out += "www-data ALL=(ALL) NOPASSWD: " + std::string(kBin) + b + "\n";
  }
  return out;
}

fs::path make_root(const std::string& name, int rules, int files) {
  const fs::path root = fs::temp_directory_path() / ("bench-sudoers-" + name);
  fs::remove_all(root);
  write(root / "etc/passwd", "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n");
  write(root / "etc/group", "root:x:0:\nwww-data:x:33:\n");
  write(root / "etc/hostname", "cabinet\n");
  std::string main = "Defaults env_reset\n";
  for (int i = 0; i < rules; ++i) main += rule(i);
  main += "@includedir sudoers.d\n";  // relative: the same directory for visudo and inside the root
  write(root / "etc/sudoers", main);
  write(root / "etc/sudoers.d/apicrypt", grants_text());
  for (int i = 0; i < files; ++i) write(root / ("etc/sudoers.d/f" + std::to_string(i)), rule(i));
  return root;
}

Params check_params(bool broader) {
  Params p;
  int line = 1;
  p.add("user", "www-data", line++);
  for (const char* b : {"apicrypt", "apicryptpj", "apiuncrypt", "apiuncryptpj"}) {
    p.add(broader ? "allow" : "require", std::string(kBin) + b, line++);
  }
  if (broader) p.add("forbid_broader", "true", line++);
  return p;
}

struct Figure {
  double ms = 1e18;
  double cpu_ms = 1e18;  // user + system: what a loaded machine does not inflate
  long max_rss_kib = 0;
  int status = 0;
};

// Runs `job` in a child; its wall time and its own peak RSS.
template <typename Job>
Figure measure(Job job) {
  Figure best;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) _exit(job());
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    best.ms = std::min(best.ms, ms);
    const double cpu = (static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
                        static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3);
    best.cpu_ms = std::min(best.cpu_ms, cpu);
    best.max_rss_kib = std::max(best.max_rss_kib, usage.ru_maxrss);
    best.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }
  return best;
}

int run_check(const fs::path& root, bool broader) {
  const RootFs fs(root);
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{});
  const Outcome o = sudoers_check_type().create(check_params(broader))->run(context);
  if (o.status == Status::error) std::fprintf(stderr, "check error: %s\n", o.summary.c_str());
  return o.status == Status::error ? 2 : 0;
}

// Both checks in one process, concurrently, as the agent's check runner
// starts them (agent/engine/check_runner.cpp): they share one load of the
// tree (sudoers_check.cpp shared_tree()).
int run_both(const fs::path& root) {
  const RootFs fs(root);
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{});
  int status[2] = {0, 0};
  std::vector<std::thread> threads;
  for (int broader = 0; broader < 2; ++broader) {
    threads.emplace_back([&, broader] {
      const Outcome o = sudoers_check_type().create(check_params(broader != 0))->run(context);
      if (o.status == Status::error) std::fprintf(stderr, "check error: %s\n", o.summary.c_str());
      status[broader] = o.status == Status::error ? 2 : 0;
    });
  }
  for (auto& t : threads) t.join();
  return status[0] | status[1];
}

void bench(const std::string& label, const fs::path& root) {
  auto check = [&root](bool broader) { return [&root, broader]() { return run_check(root, broader); }; };
  const Figure grants = measure(check(false));
  const Figure broader = measure(check(true));
  const Figure both = measure([&root]() { return run_both(root); });
  const std::string main = (root / "etc/sudoers").string();
  const Figure visudo = measure([&main]() {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl("/usr/sbin/visudo", "visudo", "-c", "-f", main.c_str(), static_cast<char*>(nullptr));
    return 127;
  });
  std::printf("%-16s %8.1f %8.1f %7ld %9.1f %8.1f %7ld %8.1f %8.1f %7ld %8.1f %8.1f %7ld\n", label.c_str(), grants.ms,
              grants.cpu_ms, grants.max_rss_kib / 1024, broader.ms, broader.cpu_ms, broader.max_rss_kib / 1024, both.ms,
              both.cpu_ms, both.max_rss_kib / 1024, visudo.ms, visudo.cpu_ms, visudo.max_rss_kib / 1024);
  if (grants.status != 0 || broader.status != 0 || both.status != 0) {
    std::printf("  (a check could not evaluate the tree)\n");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--check") return run_check(argv[2], std::string(argv[3]) == "broader");
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  std::printf("%-16s %8s %8s %7s %9s %8s %7s %8s %8s %7s %8s %8s %7s\n", "tree", "grants", "cpu", "MiB", "broader",
              "cpu", "MiB", "both", "cpu", "MiB", "visudo", "cpu", "MiB");
  std::fflush(stdout);
  for (int rules : sizes) bench(std::to_string(rules) + " rules", make_root(std::to_string(rules), rules, 0));
  bench("10000 files", make_root("files", 0, 10000));
  return 0;
}
