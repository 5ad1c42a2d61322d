// Loopback peers for the delivery tests (nothing leaves 127.0.0.1):
//  - ScriptedCollector: an HTTPS server (Boost.Beast, OpenSSL) that answers
//    each request as a test script says (201/200 JSON, 503 + Retry-After,
//    garbage, a 200 without body, a redirect, a huge body...), optionally
//    requiring a client certificate from the test CA, and records what it got.
//  - ConnectProxy: a minimal HTTP CONNECT proxy that records its targets.
//  - TestPki: a regional CA, a server certificate for 127.0.0.1 and an agent
//    certificate, made with the openssl CLI.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "signing_test_support.hpp"

namespace clinic_audit::delivery::test {

struct TestPki {
  signing::test::TestCa ca;
  std::filesystem::path server_key, server_cert;
  signing::test::KeyPair agent;
  std::string ca_sha256;  // fingerprint of ca.cert
};
// A CA named `name` in DIR, a server certificate (SAN IP 127.0.0.1) and,
// when `agent` is true, an agent key + certificate the CA issued.
TestPki make_pki(const std::filesystem::path& dir, const std::string& name, bool agent = true);

struct ReceivedRequest {
  std::string target;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> parts;  // multipart name -> content
  std::string client_subject;                // "" without a client certificate
};

struct ScriptedReply {
  int status = 201;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string raw;     // sent as is instead of an HTTP response, then closed
  bool close = false;  // close the connection after the reply
};

using Script = std::function<ScriptedReply(const ReceivedRequest&, std::size_t index)>;

// The collector's normal answer for a multipart report: 201 stored, or 200
// duplicate when the same report_id came before (as DESIGN.md §7 says).
class FakeIngest {
 public:
  ScriptedReply operator()(const ReceivedRequest& request);
  std::vector<std::uint64_t> stored_sequences() const;
  std::size_t duplicates() const { return duplicates_; }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> by_id_;
  std::vector<std::uint64_t> order_;
  std::size_t duplicates_ = 0;
};

class ScriptedCollector {
 public:
  ScriptedCollector(const TestPki& pki, Script script, bool require_client_cert = true);
  ~ScriptedCollector();
  ScriptedCollector(const ScriptedCollector&) = delete;
  ScriptedCollector& operator=(const ScriptedCollector&) = delete;

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  unsigned short port() const { return port_; }
  std::vector<ReceivedRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
};

class ConnectProxy {
 public:
  ConnectProxy();
  ~ConnectProxy();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> targets() const;

 private:
  void serve();
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::vector<std::thread> relays_;
};

// A port on 127.0.0.1 nothing listens on (bound then closed).
unsigned short closed_port();

}  // namespace clinic_audit::delivery::test
