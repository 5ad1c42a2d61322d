#include "test_network.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "test_servers.hpp"

extern char** environ;

namespace clinic_audit::reachability::testing {
namespace {

bool sh(const std::string& command) {
  const std::string full = command + " >/dev/null 2>&1";
  return std::system(full.c_str()) == 0;
}

bool tcp_ready(std::uint16_t port, const char* ip = "127.0.0.1") {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &address.sin_addr);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

DroppingNamespace::DroppingNamespace() {
  if (::geteuid() != 0) {
    why_ = "needs root to create a network namespace";
    return;
  }
  // A /30 per test process, from the pid, inside 10.213.0.0/16: concurrent
  // tests never share an address, and nothing of it is routed anywhere else.
  const auto pid = static_cast<unsigned>(::getpid());
  const unsigned third = (pid >> 6) & 0xFF;
  const unsigned fourth = (pid & 0x3F) * 4;
  const std::string prefix = "10.213." + std::to_string(third) + ".";
  const std::string host = prefix + std::to_string(fourth + 1);
  peer_ = prefix + std::to_string(fourth + 2);
  name_ = "careach" + std::to_string(pid);
  veth_ = "crh" + std::to_string(pid);
  const std::string inner = "crn" + std::to_string(pid);
  const bool ok = sh("ip netns add " + name_) &&
                  sh("ip link add " + veth_ + " type veth peer name " + inner + " netns " + name_) &&
                  sh("ip addr add " + host + "/30 dev " + veth_) && sh("ip link set " + veth_ + " up") &&
                  sh("ip -n " + name_ + " addr add " + peer_ + "/30 dev " + inner) &&
                  sh("ip -n " + name_ + " link set " + inner + " up") &&
                  sh("ip netns exec " + name_ + " nft add table inet careach") &&
                  sh("ip netns exec " + name_ +
                     " nft 'add chain inet careach in { type filter hook input priority 0; policy drop; }'");
  if (!ok) {
    why_ = "cannot set up the namespace (ip netns / veth / nft failed)";
    sh("ip netns del " + name_);
    sh("ip link del " + veth_);
    return;
  }
  available_ = true;
}

DroppingNamespace::~DroppingNamespace() {
  if (name_.empty()) return;
  sh("ip netns del " + name_);  // takes the veth pair with it
  sh("ip link del " + veth_);
}

FirewalledMediaProxy::FirewalledMediaProxy(const std::filesystem::path& dir, const CertPair& cert) {
  if (::geteuid() != 0) {
    why_ = "needs root to create a network namespace";
    return;
  }
  if (!std::filesystem::exists("/usr/bin/turnserver")) {
    why_ = "coturn is not installed (scripts/deps/reachability.list)";
    return;
  }
  // A /30 per test process in 10.214.0.0/16 (DroppingNamespace uses
  // 10.213.0.0/16, so both can exist at once in one process).
  const auto pid = static_cast<unsigned>(::getpid());
  const std::string prefix = "10.214." + std::to_string((pid >> 6) & 0xFF) + ".";
  const unsigned fourth = (pid & 0x3F) * 4;
  const std::string host = prefix + std::to_string(fourth + 1);
  peer_ = prefix + std::to_string(fourth + 2);
  name_ = "cafw" + std::to_string(pid);
  veth_ = "cfh" + std::to_string(pid);
  const std::string inner = "cfn" + std::to_string(pid);
  const bool ok = sh("ip netns add " + name_) &&
                  sh("ip link add " + veth_ + " type veth peer name " + inner + " netns " + name_) &&
                  sh("ip addr add " + host + "/30 dev " + veth_) && sh("ip link set " + veth_ + " up") &&
                  sh("ip -n " + name_ + " addr add " + peer_ + "/30 dev " + inner) &&
                  sh("ip -n " + name_ + " link set " + inner + " up") && sh("ip -n " + name_ + " link set lo up") &&
                  sh("ip netns exec " + name_ + " nft add table inet cafw") &&
                  sh("ip netns exec " + name_ +
                     " nft 'add chain inet cafw in { type filter hook input priority 0; policy accept; }'") &&
                  sh("ip netns exec " + name_ + " nft add rule inet cafw in udp dport 49152-65535 drop");
  if (!ok) {
    why_ = "cannot set up the namespace (ip netns / veth / nft failed)";
    return;
  }
  std::filesystem::create_directories(dir);
  dir_ = dir;
  const auto config = dir / "turnserver.conf";
  std::ofstream(config) << "listening-ip=" << peer_ << "\nrelay-ip=" << peer_ << "\nlistening-port=443\n"
                        << "tls-listening-port=5349\ncert=" << cert.cert.string() << "\npkey=" << cert.key.string()
                        << "\nno-cli\nno-dtls\nno-multicast-peers\nrealm=test.invalid\nsimple-log\nlog-file="
                        << (dir / "turn.log").string() << "\npidfile=" << (dir / "turn.pid").string() << "\n"
                        << "denied-peer-ip=0.0.0.0-255.255.255.255\n";
  // ip netns exec joins the namespace and execs turnserver (same pid).
  std::string ns = name_;
  std::string conf = config.string();
  char arg0[] = "ip";
  char arg1[] = "netns";
  char arg2[] = "exec";
  char arg4[] = "/usr/bin/turnserver";
  char arg5[] = "-c";
  char* argv[] = {arg0, arg1, arg2, ns.data(), arg4, arg5, conf.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&pid_, "/usr/sbin/ip", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    why_ = "cannot start turnserver in the namespace";
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (tcp_ready(443, peer_.c_str()) && tcp_ready(5349, peer_.c_str())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // UDP listener opens alongside
      available_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  why_ = "turnserver did not listen on " + peer_ + " within 10 s";
}

FirewalledMediaProxy::~FirewalledMediaProxy() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    bool gone = false;
    for (int i = 0; i < 60 && !gone; ++i) {
      gone = ::waitpid(pid_, nullptr, WNOHANG) == pid_;
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!gone) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  if (!name_.empty()) {
    sh("ip netns del " + name_);  // takes the veth pair with it
    sh("ip link del " + veth_);
  }
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

Coturn::Coturn(const std::filesystem::path& dir, const CertPair& cert) {
  if (!std::filesystem::exists("/usr/bin/turnserver")) {
    why_ = "coturn is not installed (scripts/deps/reachability.list)";
    return;
  }
  std::filesystem::create_directories(dir);
  dir_ = dir;
  port_ = closed_port();
  do {
    tls_port_ = closed_port();
  } while (tls_port_ == port_);
  const auto config = dir / "turnserver.conf";
  // Loopback only, no CLI, no relay to the outside: a STUN responder.
  std::ofstream(config) << "listening-ip=127.0.0.1\nrelay-ip=127.0.0.1\nlistening-port=" << port_
                        << "\ntls-listening-port=" << tls_port_ << "\ncert=" << cert.cert.string()
                        << "\npkey=" << cert.key.string() << "\nno-cli\nno-dtls\nno-multicast-peers\n"
                        << "realm=test.invalid\nsimple-log\nlog-file=" << (dir / "turn.log").string()
                        << "\npidfile=" << (dir / "turn.pid").string() << "\n"
                        << "denied-peer-ip=0.0.0.0-255.255.255.255\n";
  const std::string conf = config.string();
  char arg0[] = "turnserver";
  char arg1[] = "-c";
  std::string conf_copy = conf;
  char* argv[] = {arg0, arg1, conf_copy.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&pid_, "/usr/bin/turnserver", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    why_ = "cannot start turnserver";
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (tcp_ready(port_) && tcp_ready(tls_port_)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // UDP listener opens alongside
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  why_ = "turnserver did not listen within 10 s";
  stop();
}

Coturn::~Coturn() { stop(); }

void Coturn::stop() {
  if (pid_ <= 0) {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    return;
  }
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 60; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      stop();  // now removes the directory
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  stop();  // now removes the directory
}

}  // namespace clinic_audit::reachability::testing
