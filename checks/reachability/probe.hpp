// What the prober does and what it reports, without Asio in sight: the check
// and the tests include this; only prober.cpp includes Asio (compile time).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cert_info.hpp"
#include "endpoint_spec.hpp"
#include "stun_codec.hpp"
#include "websocket_handshake.hpp"

namespace clinic_audit::reachability {

enum class Transport {
  tcp,       // TCP connect only
  tls,       // TCP + TLS handshake (HTTPS signalling, seed §2.2.1)
  wss,       // TCP + TLS + WebSocket upgrade (RFC 6455 §4)
  stun_udp,  // STUN Binding over UDP on a connected socket (RFC 5389 §7.2.1)
  stun_tcp,  // STUN Binding over TCP (RFC 5389 §7.2.2)
  stun_tls,  // STUN Binding over TLS ("secured TURN STUN", seed §2.2.2 case 2)
};
std::string to_string(Transport transport);
bool is_stream(Transport transport);

struct ProbeTarget {
  Transport transport = Transport::tcp;
  std::string host;     // name for SNI, Host and CONNECT; the address itself when only that is known
  std::string address;  // IP literal connected to directly (ignored when via_proxy)
  std::uint16_t port = 0;
  std::string path = "/";     // wss
  std::string origin;         // wss, optional Origin header
  bool via_proxy = false;     // TCP/TLS/WSS through the HTTP proxy's CONNECT tunnel
  std::string label() const;  // "tls hds.apizee.com [2001:db8::1]:443"
};

// What the network said. For UDP only `answered` proves the path both ways,
// `refused` (ICMP port unreachable) proves packets arrive, and `timeout`
// (silence) proves nothing.
enum class ReachState {
  answered,     // the service answered at the transport's level
  refused,      // TCP RST or ICMP port unreachable: packets arrive, nothing listens
  unreachable,  // no route, ICMP host/network unreachable or administratively filtered, local EPERM
  timeout,      // no answer within the timeout
  failed,       // reached, but the protocol failed (TLS error, not STUN, proxy refused CONNECT...)
};
std::string to_string(ReachState state);

struct ProbeResult {
  ProbeTarget target;
  ReachState state = ReachState::timeout;
  std::string stage;                    // where the probe stopped: dns, connect, proxy, tls, upgrade, stun
  std::string detail;                   // human-readable reason
  bool connected = false;               // TCP connected (to the target or to the proxy)
  std::optional<int> proxy_status;      // HTTP status the proxy gave to CONNECT
  std::string proxy_detail;             // Via/Server of the proxy's answer, when refused
  std::optional<CertInfo> certificate;  // TLS leaf and verification, when the handshake completed
  std::optional<UpgradeVerdict> upgrade;
  std::optional<StunResponse> stun;
  std::chrono::milliseconds elapsed{0};
};

struct ProxyEndpoint {
  ProxySpec spec;
  std::string address;  // resolved IP literal of spec.host
};

struct ProbeOptions {
  std::chrono::milliseconds timeout{2000};  // per probe
  std::size_t max_concurrency = 100;        // probes in flight at once
  std::optional<ProxyEndpoint> proxy;
  std::string ca_path;  // PEM file or hashed directory; empty: the system store (/etc/ssl/certs)
};

// Runs every probe, at most max_concurrency at a time, each bounded by the
// timeout; results in the order of `targets`. Never throws for network
// failures (they are results); throws std::runtime_error when the trust
// store cannot be loaded.
std::vector<ProbeResult> run_probes(const std::vector<ProbeTarget>& targets, const ProbeOptions& options);

struct DnsAnswer {
  std::string host;
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
  std::string error;  // getaddrinfo's message, or "timed out"
  bool ok() const { return error.empty(); }
  std::vector<std::string> all() const;
};

// getaddrinfo for every host (A and AAAA, no AI_ADDRCONFIG so that every
// published address is reported), concurrently, each bounded by `timeout`.
// IP literals are returned as they are without a lookup.
std::vector<DnsAnswer> resolve_all(const std::vector<std::string>& hosts, std::chrono::milliseconds timeout,
                                   std::size_t max_concurrency);

}  // namespace clinic_audit::reachability
