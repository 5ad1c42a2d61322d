// The seed's media verdict (000_454215b966676928 §2.2.2) from probe results:
// case 1 (UDP allowed), case 2 (TCP 443 only: works, degraded video) or
// blocked, with the firewall rules still to open from the seed's tables.
// Pure: probe results in, Outcome out.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "endpoint_spec.hpp"
#include "probe.hpp"

namespace clinic_audit::reachability {

struct MediaServerProbes {
  ServerSpec server;
  bool sfu = false;                    // SFUs only take UDP in a call (case 1 table 2)
  std::vector<std::string> addresses;  // what was probed: the seed's addresses and DNS's
  std::string dns_note;                // DNS answer or failure, and addresses the seed does not list
  std::vector<ProbeResult> udp;        // STUN over UDP (proxies) / sampled ports (SFUs)
  std::vector<ProbeResult> stream;     // STUN over TCP and TLS (proxies, case 2)
  // Proxies: the sample of their media range (49152-65535) besides the STUN
  // port. Case 1 needs those ports too; only an answer or an ICMP port
  // unreachable proves packets get there (issue #21 item 8).
  std::vector<ProbeResult> media_udp;
};

struct MediaPlan {
  std::vector<PortRange> proxy_udp_ports;    // seed: 443,49152-65535
  std::vector<PortRange> sfu_udp_ports;      // seed: 49152-65535
  std::vector<PortRange> sfu_probe_ports;    // the sample of that range actually probed
  std::uint16_t tcp_port = 443;              // seed case 2: TCP 443 secured TURN/STUN
  bool accept_degraded = false;              // case 2 passes instead of failing
  std::string proxy_display;                 // the HTTP proxy in use, if any
  std::vector<PortRange> proxy_probe_ports;  // the sample of the proxies' media range probed (besides the STUN port)
};

// One firewall rule in words and in nftables syntax, e.g.
// "allow UDP 443,49152-65535 out to mp2.apizee.com (94.23.195.133) -- nft: add rule inet filter output ip daddr
// { 94.23.195.133 } udp dport { 443, 49152-65535 } accept"
std::string firewall_rule(const std::string& protocol, const std::string& label,
                          const std::vector<std::string>& addresses, const std::vector<PortRange>& ports);

Outcome judge_media(const std::vector<MediaServerProbes>& servers, const MediaPlan& plan);

}  // namespace clinic_audit::reachability
