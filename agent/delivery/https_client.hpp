// One HTTPS client for `enroll` and `submit` (Boost.Beast over OpenSSL;
// DESIGN.md §7: TLS >= 1.2, mutual TLS for reports). Every network step
// (resolve, connect, proxy CONNECT, TLS handshake, write, read) ends at its
// timeout or at the run's deadline, whichever comes first; the response is
// read with bounded header and body sizes, so a collector that stalls or
// answers a huge body cannot hold or exhaust the agent.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "endpoint.hpp"

namespace clinic_audit::delivery {

// How the collector's certificate is trusted.
struct ServerTrust {
  // SHA-256 fingerprint (hex, colons and case ignored) pinned on first
  // contact (`enroll --ca-fingerprint`): of the regional CA certificate,
  // which the collector then sends in its chain, or of the collector's own
  // certificate. The server's chain must contain that certificate and its
  // leaf chain to it.
  std::optional<std::string> pinned_ca_sha256;
  // PEM file of trusted CAs (ca.crt after enrolment).
  std::optional<std::filesystem::path> ca_file;
  // Neither: the system's trust store.
};

struct ClientOptions {
  CollectorUrl collector;
  std::optional<ProxyUrl> proxy;
  ServerTrust trust;
  // Mutual TLS (submit): the agent's certificate and key.
  std::optional<std::filesystem::path> client_cert, client_key;
  std::chrono::milliseconds step_timeout{30000};
  std::size_t max_response_bytes = 64 * 1024;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::optional<std::string> retry_after;  // raw header value
  std::optional<std::string> location;
};

// Why no HTTP response came back.
class TransportError : public std::runtime_error {
 public:
  enum class Kind {
    unreachable,     // resolve/connect/proxy failure, timeout: try again later
    untrusted,       // the server's certificate failed verification (wrong CA, pin mismatch, name)
    client_refused,  // the server refused our certificate during the handshake
    protocol,        // not HTTP, oversized, cut short
  };
  TransportError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Thrown for local configuration problems (unreadable key, bad CA file).
class ClientSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpsClient {
 public:
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // POSTs to collector.base_path + `path`, reusing the connection when the
  // server keeps it alive. Never follows redirects (a 3xx is returned as is).
  // Throws TransportError; `deadline` bounds the whole exchange.
  HttpResponse post(const std::string& path, const std::string& content_type, const std::string& body,
                    std::chrono::steady_clock::time_point deadline);

  // SHA-256 fingerprints of the certificates the server presented on the
  // last connection (leaf first), lower-case hex.
  const std::vector<std::string>& presented_fingerprints() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lower-case hex without separators; throws std::invalid_argument unless it
// is 64 hex digits once colons and spaces are dropped.
std::string normalise_fingerprint(std::string_view text);

}  // namespace clinic_audit::delivery
