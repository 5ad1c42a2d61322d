#include "image_fixture.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

#include "run_agent.hpp"

namespace clinic_audit::testing {

std::filesystem::path image_tools_dir() { return std::filesystem::path(CA_SOURCE_DIR) / "tests/image"; }

Captured run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  char dir_template[] = "/tmp/ca-image-run.XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(dir_template);
  const auto out_path = dir / "out", err_path = dir / "err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (std::freopen(out_path.c_str(), "w", stdout) == nullptr ||
        std::freopen(err_path.c_str(), "w", stderr) == nullptr || std::freopen("/dev/null", "r", stdin) == nullptr) {
      ::_exit(126);
    }
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  Captured c;
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  c.out = slurp(out_path);
  c.err = slurp(err_path);
  std::filesystem::remove_all(dir);
  return c;
}

const ImageFixture& ImageFixture::get() {
  static const ImageFixture fixture = [] {
    ImageFixture f;
    if (::geteuid() != 0) {
      f.unavailable_ = "needs root (debootstrap, chroot, overlay mounts)";
      return f;
    }
    const Captured built = run_program({(image_tools_dir() / "build-image.sh").string()});
    if (built.exit_code != 0) {
      f.unavailable_ = "build-image.sh failed (exit " + std::to_string(built.exit_code) + "): " + built.err;
      return f;
    }
    std::string tarball = built.out;
    while (!tarball.empty() && tarball.back() == '\n') tarball.pop_back();
    // Extracted once next to the tarball; a marker says the extraction finished.
    const std::filesystem::path tar_path(tarball);
    const auto base = tar_path.parent_path() / (tar_path.stem().stem().string() + ".root");
    if (!std::filesystem::exists(base / ".clinic-audit-complete")) {
      std::filesystem::remove_all(base);
      std::filesystem::create_directories(base);
      const Captured x = run_program(
          {"sh", "-c",
           "zstd -dc \"$1\" | tar --numeric-owner --xattrs --acls -C \"$2\" -xf - && touch \"$2/.clinic-audit-complete\"",
           "sh", tarball, base.string()});
      if (x.exit_code != 0) {
        f.unavailable_ = "cannot extract " + tarball + ": " + x.err;
        return f;
      }
    }
    f.base_ = base;
    return f;
  }();
  return fixture;
}

void ImageFixture::configure(const std::filesystem::path& work, const std::string& name) const {
  const Captured c =
      run_program({(image_tools_dir() / "run-case.sh").string(), base_.string(), work.string(), "configure", name});
  ASSERT_EQ(c.exit_code, 0) << "configure " << name << ": " << c.err;
}

Captured ImageFixture::agent(const std::filesystem::path& work, const std::vector<std::string>& args) const {
  std::vector<std::string> argv{(image_tools_dir() / "run-case.sh").string(), base_.string(), work.string(), "agent"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, {"CLINIC_AUDIT=" + agent_binary()});
}

Captured ImageFixture::apply(const std::filesystem::path& work, const std::vector<std::string>& commands) const {
  const auto script = work / "remediation.sh";
  {
    std::ofstream out(script, std::ios::binary);
    for (const auto& c : commands) out << c << '\n';
  }
  return run_program(
      {(image_tools_dir() / "run-case.sh").string(), base_.string(), work.string(), "apply", script.string()});
}

}  // namespace clinic_audit::testing
