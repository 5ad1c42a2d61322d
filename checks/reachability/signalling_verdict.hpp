// The verdict on the signalling flows (seed 000_454215b966676928 §2.2.1:
// HTTPS to seven domains, secure WebSocket to one) and annex 2 (SHA-256
// certificates, 2048-bit keys). Pure: DNS answers and probe results in,
// Outcome out.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "probe.hpp"

namespace clinic_audit::reachability {

struct SignallingHost {
  std::string host;
  DnsAnswer dns;
  std::vector<ProbeResult> probes;  // one per address, or one through the proxy
};

struct SignallingPlan {
  Transport transport = Transport::tls;  // tls (HTTPS) or wss
  std::uint16_t port = 443;
  int min_rsa_bits = 2048;
  bool expect_public = true;  // an untrusted chain means TLS inspection
  std::string proxy_display;  // the HTTP proxy used, if any
};

Outcome judge_signalling(const std::vector<SignallingHost>& hosts, const SignallingPlan& plan);

}  // namespace clinic_audit::reachability
