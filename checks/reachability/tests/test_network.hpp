// Network fixtures the reachability tests create and always tear down:
// a network namespace behind a veth pair whose address drops everything
// (the "blackholed" peer: silence, never an answer), and coturn, Debian's
// STUN/TURN server, on loopback ports.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "test_pki.hpp"

namespace clinic_audit::reachability::testing {

// Needs root (CAP_NET_ADMIN) and iproute2 + nftables; `available()` is false
// (with `why()`) otherwise, and the test skips naming the reason.
class DroppingNamespace {
 public:
  DroppingNamespace();
  ~DroppingNamespace();
  DroppingNamespace(const DroppingNamespace&) = delete;
  DroppingNamespace& operator=(const DroppingNamespace&) = delete;

  bool available() const { return available_; }
  const std::string& why() const { return why_; }
  // An address inside the namespace: packets get there and are dropped.
  const std::string& dropped_address() const { return peer_; }

 private:
  std::string name_;
  std::string veth_;
  std::string peer_;
  bool available_ = false;
  std::string why_;
};

// A media proxy behind a firewall that silently drops the SFU range: a
// network namespace behind a veth pair, coturn inside on the namespace's
// address answering STUN on UDP and TCP 443 (and TLS on tls_port()), and an
// nftables input rule "udp dport 49152-65535 drop" while every other port
// stays open (a closed port there answers with ICMP port unreachable).
// Needs root, iproute2, nftables and coturn; `available()` says whether it
// could be set up, `why()` why not.
class FirewalledMediaProxy {
 public:
  FirewalledMediaProxy(const std::filesystem::path& dir, const CertPair& cert);
  ~FirewalledMediaProxy();
  FirewalledMediaProxy(const FirewalledMediaProxy&) = delete;
  FirewalledMediaProxy& operator=(const FirewalledMediaProxy&) = delete;

  bool available() const { return available_; }
  const std::string& why() const { return why_; }
  const std::string& address() const { return peer_; }
  std::uint16_t stun_port() const { return 443; }
  std::uint16_t tls_port() const { return 5349; }

 private:
  std::string name_;
  std::string veth_;
  std::string peer_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  bool available_ = false;
  std::string why_;
};

// turnserver on 127.0.0.1 with STUN on a UDP+TCP port and TLS on another;
// its configuration and log live in `dir`, removed at destruction.
class Coturn {
 public:
  Coturn(const std::filesystem::path& dir, const CertPair& cert);
  ~Coturn();
  Coturn(const Coturn&) = delete;
  Coturn& operator=(const Coturn&) = delete;

  bool available() const { return pid_ > 0; }
  const std::string& why() const { return why_; }
  std::uint16_t port() const { return port_; }          // STUN over UDP and TCP
  std::uint16_t tls_port() const { return tls_port_; }  // STUN over TLS

 private:
  void stop();
  pid_t pid_ = -1;
  std::filesystem::path dir_;  // removed when the server stops
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::string why_;
};

}  // namespace clinic_audit::reachability::testing
