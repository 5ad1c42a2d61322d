// Issue #17 item 5: the live path of the service and systemd_unit checks
// (systemctl is-active, systemctl show -p PrivateTmp,NeedDaemonReload)
// against a real systemd: the image's systemd 252 booted with
//   systemd-nspawn --register=no --keep-unit -q --private-network -D IMAGE -b
// on an overlay (the cached image stays clean; the host's PID 1 is not
// systemd, hence no registration), every step bounded by a timeout. The
// functions the checks call run the image's own /usr/bin/systemctl inside
// the container's namespaces (nsenter), as they would on that machine.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "common/command_runner.hpp"
#include "image_fixture.hpp"
#include "common/systemd/systemctl_live.hpp"

namespace clinic_audit::testing {
namespace {

using namespace std::chrono_literals;

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  pid_t child = 0;
  while (in >> child) out.push_back(child);
  return out;
}

// The booted image; shut down (SIGTERM to nspawn: a clean poweroff) at the end.
class BootedImage {
 public:
  BootedImage(const std::filesystem::path& base, const std::filesystem::path& work) {
    launcher_ = ::fork();
    if (launcher_ == 0) {
      ::setpgid(0, 0);
      const std::string script =
          "mount -t overlay overlay -o \"lowerdir=$1,upperdir=$2/upper,workdir=$2/work\" \"$2/merged\" && "
          "exec systemd-nspawn --register=no --keep-unit -q --private-network -D \"$2/merged\" -b";
      if (std::freopen((work / "boot.log").c_str(), "w", stdout) == nullptr) ::_exit(126);
      ::dup2(STDOUT_FILENO, STDERR_FILENO);
      ::execl("/usr/bin/unshare", "unshare", "--mount", "--fork", "/bin/sh", "-c", script.c_str(), "sh", base.c_str(),
              work.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // unshare -> sh (exec'd into systemd-nspawn) -> the container's init.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline && init_ == 0) {
      for (pid_t nspawn : children_of(launcher_)) {
        nspawn_ = nspawn;
        for (pid_t init : children_of(nspawn)) init_ = init;
      }
      std::this_thread::sleep_for(100ms);
    }
  }
  ~BootedImage() {
    if (nspawn_ != 0) ::kill(nspawn_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    int status = 0;
    while (::waitpid(launcher_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(-launcher_, SIGKILL);
        ::waitpid(launcher_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(100ms);
    }
  }
  BootedImage(const BootedImage&) = delete;
  BootedImage& operator=(const BootedImage&) = delete;

  pid_t init() const { return init_; }

 private:
  pid_t launcher_ = 0, nspawn_ = 0, init_ = 0;
};

// Runs each command inside the container (mount, UTS, IPC, network and PID
// namespaces of its init): /usr/bin/systemctl is the image's own.
class ContainerRunner final : public CommandRunner {
 public:
  explicit ContainerRunner(pid_t init) : init_(init) {}
  CommandResult run(const CommandSpec& spec) override {
    CommandSpec wrapped = spec;
    wrapped.program = "/usr/bin/nsenter";
    wrapped.args = {"-t", std::to_string(init_), "-m", "-u", "-i", "-n", "-p", "--", spec.program.string()};
    wrapped.args.insert(wrapped.args.end(), spec.args.begin(), spec.args.end());
    return real_.run(wrapped);
  }

 private:
  pid_t init_;
  ProcessRunner real_;
};

class SystemdLive : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& image = ImageFixture::get();
    if (image.base().empty()) GTEST_SKIP() << "image fixture unavailable: " << image.unavailable();
    for (const char* tool : {"/usr/bin/systemd-nspawn", "/usr/bin/nsenter", "/usr/bin/unshare"}) {
      if (::access(tool, X_OK) != 0) GTEST_SKIP() << tool << " is missing (packages systemd-container, util-linux)";
    }
    work_ = "/var/tmp/clinic-audit-image-tests/systemd-live";
    image.configure(work_, "live-failed-unit");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(work_, ec);
  }
  std::filesystem::path work_;
};

TEST_F(SystemdLive, IsActiveShowAndAFailedUnitFromTheImagesSystemd) {
  BootedImage booted(ImageFixture::get().base(), work_);
  ASSERT_NE(booted.init(), 0) << "systemd-nspawn did not start the image's init; see " << (work_ / "boot.log");
  ContainerRunner runner(booted.init());

  // Boot finished: "degraded" because broken.service failed, as planned.
  std::string state;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (std::chrono::steady_clock::now() < deadline) {
    CommandSpec spec{"/usr/bin/systemctl", {"is-system-running"}, std::chrono::milliseconds(5000), 4096, {}, {}};
    state = runner.run(spec).out;
    if (state.rfind("running", 0) == 0 || state.rfind("degraded", 0) == 0) break;
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_EQ(state, "degraded\n") << "boot log: " << (work_ / "boot.log");

  // The service check's live query.
  auto q = systemd::systemctl_is_active(runner, "compagnonApicrypt.service");
  EXPECT_EQ(q.error, "");
  EXPECT_EQ(q.properties["_stdout"], "active\n");
  q = systemd::systemctl_is_active(runner, "broken.service");
  EXPECT_EQ(q.properties["_stdout"], "failed\n") << q.error;

  // The systemd_unit check's live query: the drop-in is in effect...
  auto show = systemd::systemctl_show(runner, "apache2.service", {"PrivateTmp", "NeedDaemonReload"});
  ASSERT_EQ(show.error, "");
  EXPECT_EQ(show.properties["PrivateTmp"], "no");
  EXPECT_EQ(show.properties["NeedDaemonReload"], "no");
  EXPECT_FALSE(systemd::judge_live_boolean(show.properties, "PrivateTmp", false).stale);

  // ...and a drop-in written without daemon-reload leaves the running unit stale.
  CommandSpec write{"/bin/sh",
                    {"-c", "printf '[Service]\\nPrivateTmp=true\\n' > /etc/systemd/system/apache2.service.d/zz.conf"},
                    std::chrono::milliseconds(5000),
                    4096,
                    {},
                    {}};
  ASSERT_EQ(runner.run(write).exit_code, 0);
  show = systemd::systemctl_show(runner, "apache2.service", {"PrivateTmp", "NeedDaemonReload"});
  EXPECT_EQ(show.properties["NeedDaemonReload"], "yes");
  EXPECT_TRUE(systemd::judge_live_boolean(show.properties, "PrivateTmp", true).stale)
      << "the files say PrivateTmp=true now, the running unit still has the old value";
}

}  // namespace
}  // namespace clinic_audit::testing
