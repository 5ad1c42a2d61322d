#include "test_servers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <stdexcept>

#include "http_response.hpp"
#include "websocket_handshake.hpp"

namespace clinic_audit::reachability::testing {
namespace {

sockaddr_storage make_address(const std::string& ip, std::uint16_t port, socklen_t& length) {
  sockaddr_storage storage{};
  if (ip.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr);
    length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &in4->sin_addr);
    length = sizeof(sockaddr_in);
  }
  return storage;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  return storage.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

void set_timeouts(int fd) {
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void send_all(int fd, SSL* ssl, const std::string& data) {
  if (ssl != nullptr) {
    SSL_write(ssl, data.data(), static_cast<int>(data.size()));
  } else {
    (void)::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
  }
}

// Reads until the end of an HTTP head (request or response) or EOF/timeout.
std::string read_head(int fd, SSL* ssl) {
  std::string head;
  char buffer[2048];
  while (head.size() < 16384 && !find_head_end(head)) {
    const long n = ssl != nullptr ? SSL_read(ssl, buffer, sizeof buffer) : ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    head.append(buffer, static_cast<std::size_t>(n));
  }
  return head;
}

std::string header_value(const std::string& head, const std::string& name) {
  std::string lower = head;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("\n" + name + ":");
  if (at == std::string::npos) return {};
  auto start = at + name.size() + 2;
  while (start < head.size() && head[start] == ' ') ++start;
  return head.substr(start, head.find('\r', start) - start);
}

}  // namespace

TestServer::TestServer(ServerMode mode, std::optional<CertPair> cert, const std::string& bind) : mode_(mode) {
  // OpenSSL's socket BIO writes with write(2): a client that hangs up early
  // (as probes do after the handshake) must not kill the test with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  if (cert) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    // Level 0 so that the 1024-bit and SHA-1 test certificates can be served.
    SSL_CTX_set_security_level(ctx, 0);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert->cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cert->key.c_str(), SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(ctx);
      throw std::runtime_error("test server cannot load " + cert->cert.string());
    }
    ssl_ctx_ = ctx;
  }
  socklen_t length = 0;
  const auto address = make_address(bind, 0, length);
  listen_fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    throw std::runtime_error(std::string("test server cannot listen: ") + std::strerror(errno));
  }
  port_ = bound_port(listen_fd_);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  stop_ = true;
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    const std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
  ::close(listen_fd_);
  SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

std::vector<std::string> TestServer::connect_requests() const {
  const std::lock_guard lock(mutex_);
  return connect_requests_;
}

void TestServer::accept_loop() {
  while (!stop_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    set_timeouts(fd);
    const std::lock_guard lock(mutex_);
    workers_.emplace_back([this, fd] {
      if (mode_ == ServerMode::connect_proxy || mode_ == ServerMode::proxy_auth) {
        serve_proxy(fd);
      } else {
        serve(fd);
      }
      ::close(fd);
    });
  }
}

void TestServer::serve(int fd) {
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    if (mode_ == ServerMode::tls) {
      char buffer[256];
      while (!stop_ && SSL_read(ssl, buffer, sizeof buffer) > 0) {
      }
    } else {
      const std::string request = read_head(fd, ssl);
      if (mode_ == ServerMode::websocket) {
        send_all(fd, ssl,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: " +
                     websocket_accept(header_value(request, "sec-websocket-key")) + "\r\n\r\n");
      } else {
        send_all(fd, ssl, "HTTP/1.1 200 OK\r\nVia: 1.1 stripping-proxy\r\nContent-Length: 0\r\n\r\n");
      }
    }
  }
  SSL_free(ssl);
}

void TestServer::serve_proxy(int fd) {
  const std::string head = read_head(fd, nullptr);
  const auto space = head.find(' ');
  const std::string target = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
  {
    const std::lock_guard lock(mutex_);
    connect_requests_.push_back(target);
  }
  if (mode_ == ServerMode::proxy_auth) {
    send_all(fd, nullptr, "HTTP/1.1 407 Proxy Authentication Required\r\nVia: 1.1 test-proxy\r\n\r\n");
    return;
  }
  const auto colon = target.rfind(':');
  std::string host = target.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  // The test proxy only ever relays to loopback: no test may reach outside.
  if (host != "127.0.0.1" && host != "::1") {
    send_all(fd, nullptr, "HTTP/1.1 403 Forbidden\r\n\r\n");
    return;
  }
  socklen_t length = 0;
  const auto address = make_address(host, static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1))), length);
  const int upstream = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(upstream, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    send_all(fd, nullptr, "HTTP/1.1 502 Bad Gateway\r\n\r\n");
    ::close(upstream);
    return;
  }
  send_all(fd, nullptr, "HTTP/1.1 200 Connection established\r\n\r\n");
  pollfd fds[2] = {{fd, POLLIN, 0}, {upstream, POLLIN, 0}};
  char buffer[4096];
  while (!stop_ && ::poll(fds, 2, 100) >= 0) {
    bool closed = false;
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const long n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed = true;
        break;
      }
      (void)::send(fds[1 - i].fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
    }
    if (closed) break;
  }
  ::close(upstream);
}

SilentUdp::SilentUdp() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  socklen_t length = 0;
  const auto address = make_address("127.0.0.1", 0, length);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    throw std::runtime_error("cannot bind the silent UDP socket");
  }
  port_ = bound_port(fd_);
}

SilentUdp::~SilentUdp() { ::close(fd_); }

std::uint16_t closed_port() {
  // Bind TCP and UDP to the same ephemeral port, then release both: nothing
  // listens there afterwards (the window for a reuse is negligible in a test).
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t length = 0;
    auto address = make_address("127.0.0.1", 0, length);
    ::bind(tcp, reinterpret_cast<const sockaddr*>(&address), length);
    const std::uint16_t port = bound_port(tcp);
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    address = make_address("127.0.0.1", port, length);
    const bool udp_free = ::bind(udp, reinterpret_cast<const sockaddr*>(&address), length) == 0;
    ::close(tcp);
    ::close(udp);
    if (udp_free) return port;
  }
  throw std::runtime_error("no free loopback port");
}

}  // namespace clinic_audit::reachability::testing
