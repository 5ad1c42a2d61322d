// The HTTPS server (issue #11 item 2): Boost.Beast over Asio and OpenSSL,
// TLS >= 1.2, the collector's own certificate.
//
// One listener for every route, client certificate requested but optional
// at the TLS level (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT) and its
// verification result kept: /api/v1/enroll must work without a certificate
// on the same port DESIGN §7 gives (<listen> is one address), and a client
// whose certificate is refused gets an HTTP 403 naming the reason instead of
// a bare TLS alert. /api/v1/reports then enforces it per route.
//
// Bounded everything: connections (beyond the limit a connection is closed
// at once), header and body deadlines (a slow client is cut at the
// deadline, whatever its pace), header size 16 KiB, body limit (413), and
// pending ingests (503 + Retry-After beyond the limit). Blocking work
// (verification, storage) runs on a worker pool, never on the I/O threads.
#pragma once

#include <cstdint>
#include <memory>

#include "collector_config.hpp"
#include "metrics.hpp"
#include "router.hpp"

namespace clinic_audit::collector {

class Server {
 public:
  Server(const CollectorConfig& config, Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful with port 0 in tests).
  std::uint16_t port() const;
  // Serves until SIGTERM/SIGINT or stop(); returns when every thread ended.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clinic_audit::collector
