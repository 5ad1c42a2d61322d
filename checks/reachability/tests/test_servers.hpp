// Real peers on loopback for the reachability tests, in plain POSIX sockets
// and OpenSSL on background threads (no Asio here: compile time). Every
// socket has a 5 s receive timeout and the destructor stops and joins
// everything, so no test can hang or leave a server behind.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_pki.hpp"

namespace clinic_audit::reachability::testing {

enum class ServerMode {
  tls,            // TLS handshake, then wait for the client to close
  websocket,      // TLS, then 101 Switching Protocols with the RFC 6455 accept
  no_upgrade,     // TLS, then "HTTP/1.1 200 OK" to the upgrade request (Via names a proxy)
  connect_proxy,  // plain HTTP CONNECT proxy relaying to loopback targets only
  proxy_auth,     // HTTP proxy answering 407 to every CONNECT
};

class TestServer {
 public:
  TestServer(ServerMode mode, std::optional<CertPair> cert = std::nullopt, const std::string& bind = "127.0.0.1");
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::vector<std::string> connect_requests() const;  // CONNECT targets the proxy saw
  int connections() const { return connections_; }

 private:
  void accept_loop();
  void serve(int fd);
  void serve_proxy(int fd);

  ServerMode mode_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*, kept opaque to spare the header OpenSSL
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::vector<std::string> connect_requests_;
};

// A UDP socket on loopback that reads and never answers: the "silent" peer.
class SilentUdp {
 public:
  SilentUdp();
  ~SilentUdp();
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A loopback port (TCP and UDP) that nothing listens on: refused / ICMP.
std::uint16_t closed_port();

}  // namespace clinic_audit::reachability::testing
