// Benchmark (not a test) of the reachability prober, issue #7 item 8: N
// endpoints on loopback and in a dropping network namespace, a third of
// which never answer, 2 s timeout. Prints the wall time; the goal for 30
// endpoints is <= 2.5 s (about one timeout, not the sum). Needs root for the
// namespace. Usage: bench_reachability [N...]   (default: 30 300)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "probe.hpp"
#include "test_network.hpp"
#include "test_pki.hpp"
#include "test_servers.hpp"

using namespace clinic_audit::reachability;
using namespace clinic_audit::reachability::testing;

namespace {

// A TCP listener on 127.0.0.x: the kernel completes the handshake itself.
struct Listener {
  int fd = -1;
  std::uint16_t port = 0;
  explicit Listener(const std::string& address) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &in.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 || ::listen(fd, 1024) != 0) {
      std::perror("listen");
      std::exit(1);
    }
    socklen_t length = sizeof in;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&in), &length);
    port = ntohs(in.sin_port);
  }
  ~Listener() { ::close(fd); }
};

void run(std::size_t count, const DroppingNamespace& ns, const TestPki& pki, const Coturn* coturn,
         const TestServer& tls) {
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<ProbeTarget> targets;
  std::map<Transport, int> mix;  // every third endpoint never answers
  for (std::size_t i = 0; i < count; ++i) {
    ProbeTarget target;
    if (i % 3 == 2) {
      // Never answers: a dropping namespace, TCP and UDP alternately.
      target = {i % 2 ? Transport::tcp : Transport::stun_udp,
                ns.dropped_address(),
                ns.dropped_address(),
                static_cast<std::uint16_t>(20000 + i),
                "/",
                "",
                false};
    } else if (i % 4 == 1) {
      target = {Transport::tls, "localhost", "127.0.0.1", tls.port(), "/", "", false};
    } else if (i % 4 == 3 && coturn != nullptr) {
      target = {Transport::stun_udp, "127.0.0.1", "127.0.0.1", coturn->port(), "/", "", false};
    } else {
      const std::string address = "127.0.0." + std::to_string(1 + (listeners.size() % 250));
      listeners.push_back(std::make_unique<Listener>(address));
      target = {Transport::tcp, address, address, listeners.back()->port, "/", "", false};
    }
    ++mix[target.transport];
    targets.push_back(target);
  }
  ProbeOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  options.ca_path = pki.ca_file.string();
  const auto start = std::chrono::steady_clock::now();
  const auto results = run_probes(targets, options);
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::map<ReachState, int> states;
  for (const auto& result : results) ++states[result.state];
  std::printf("%zu endpoints (max %zu in flight, timeout 2 s): wall %.3f s;", count, options.max_concurrency, wall);
  for (const auto& [state, n] : states) std::printf(" %s=%d", to_string(state).c_str(), n);
  std::printf(" | probes:");
  for (const auto& [transport, n] : mix) std::printf(" %s=%d", to_string(transport).c_str(), n);
  std::printf("%s\n", count <= 30 ? (wall <= 2.5 ? "  [goal <= 2.5 s: met]" : "  [goal <= 2.5 s: MISSED]") : "");
}

}  // namespace

int main(int argc, char** argv) {
  DroppingNamespace ns;
  if (!ns.available()) {
    std::fprintf(stderr, "bench_reachability: %s\n", ns.why().c_str());
    return 77;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("careach-bench-" + std::to_string(::getpid()));
  TestPki pki(dir / "pki");
  Coturn coturn(dir / "coturn", pki.good);
  if (!coturn.available()) std::fprintf(stderr, "(coturn unavailable: %s; TCP peers instead)\n", coturn.why().c_str());
  TestServer tls(ServerMode::tls, pki.good);
  std::vector<std::size_t> counts;
  for (int i = 1; i < argc; ++i) counts.push_back(static_cast<std::size_t>(std::atoi(argv[i])));
  if (counts.empty()) counts = {30, 300};
  for (const auto count : counts) run(count, ns, pki, coturn.available() ? &coturn : nullptr, tls);
  std::filesystem::remove_all(dir);
  return 0;
}
