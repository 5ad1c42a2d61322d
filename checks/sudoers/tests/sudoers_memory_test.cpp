// Issue #20 item 4 and #16 item 5 for sudoers: 100,000 files in sudoers.d
// (half skipped by sudo for the '.' in their name, half read, each with a
// grant to www-data) must not take the shipped policies over 64 MiB of peak
// RSS, nor past their check timeouts. The peak RSS is that of the agent
// process (wait4(2)), the whole run of apicrypt-v1, apicrypt-v2, ekermed.
// Label heavy: writing the tree takes some seconds.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

constexpr long kMaxRssKib = 64 * 1024;
constexpr int kFiles = 100000;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

void write_file(const std::filesystem::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0440);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
}

struct Measured {
  int exit_code = -1;
  long max_rss_kib = 0;
  std::chrono::milliseconds wall{};
  std::string out;
};

Measured run_measured(const std::vector<std::string>& args) {
  const auto out_file = fixture_dir("out") / "stdout";
  std::filesystem::create_directories(out_file.parent_path());
  std::vector<std::string> text{agent_binary()};
  text.insert(text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (out < 0 || null < 0 || ::dup2(out, 1) < 0 || ::dup2(null, 2) < 0 || ::dup2(null, 0) < 0) ::_exit(126);
    ::alarm(300);  // never hang the suite
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  Measured m;
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  m.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  m.max_rss_kib = usage.ru_maxrss;
  std::ifstream in(out_file, std::ios::binary);
  m.out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return m;
}

TEST(SudoersMemory, HundredThousandFilesInSudoersDStayUnder64MiB) {
  FixtureRoot root(fixture_dir("root"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  const auto dir = root.host("/etc/sudoers.d");
  for (int i = 0; i < kFiles; ++i) {
    const std::string n = std::to_string(i);
    if (i % 2 == 0) {
      write_file(dir / ("skipped." + n), "www-data ALL=(ALL) NOPASSWD: ALL\n");
    } else {
      write_file(dir / ("grant" + n), "www-data ALL=(root) NOPASSWD: /usr/local/bin/tool" + n + "\n");
    }
  }
  const Measured run = run_measured({"run", "--root", root.path().string(), "--policy", "apicrypt-v1", "--policy",
                                     "apicrypt-v2", "--policy", "ekermed", "--offline", "--no-sign", "--format",
                                     "json"});
  std::cout << "100,000 sudoers.d files: peak RSS " << run.max_rss_kib << " KiB, " << run.wall.count() << " ms\n";
  ASSERT_TRUE(run.exit_code >= 0 && run.exit_code <= 2) << "exit " << run.exit_code;
  const auto report = nlohmann::json::parse(run.out);
  std::size_t sudoers_results = 0;
  for (const auto& r : report["results"]) {
    const std::string summary = r.value("summary", "");
    if (summary.find("sudo") == std::string::npos) continue;
    ++sudoers_results;
    // The grants in the 50,000 files read are found (the forbid_broader
    // check fails, naming them), and nothing is an error or a timeout.
    EXPECT_NE(r["status"], "error") << r["check_id"] << ": " << summary;
  }
  EXPECT_GT(sudoers_results, 0u);
  EXPECT_NE(run.out.find("/usr/local/bin/tool"), std::string::npos) << "the grants read are judged";
  EXPECT_LT(run.wall, std::chrono::seconds(60));
  if (!kSanitized) {
    EXPECT_LT(run.max_rss_kib, kMaxRssKib) << "peak RSS over 64 MiB";
  }
}

}  // namespace
}  // namespace clinic_audit::testing
