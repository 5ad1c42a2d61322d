// The `reachability` check type: can this machine hold an e-KerMed
// teleconsultation? (seed 000_454215b966676928 §2.2, annex 2; DESIGN.md §8)
//
// Parameters:
//   probe            https | wss | media
//   host             (https, wss; repeatable) signalling domain or address
//   port             (https, wss) default 443
//   path, origin     (wss) request path (default /) and optional Origin header
//   min_rsa_bits     (https, wss) annex 2: default 2048
//   expect_public    (https, wss) an untrusted chain means TLS inspection; default true
//   media_proxy      (media; repeatable) "NAME [ADDRESS...]" as in the seed's table
//   sfu              (media; repeatable) "ADDRESS" or "NAME [ADDRESS...]"
//   media_udp_ports  (media) seed: 443,49152-65535 -- what the firewall rules must open
//   sfu_udp_ports    (media) seed: 49152-65535
//   stun_udp_port, stun_tcp_port, stun_tls_port   (media) where STUN is probed; default 443
//   sfu_probe_ports  (media) SFU ports probed; default the first and last of sfu_udp_ports
//   media_probe_ports (media) media-proxy ports probed besides stun_udp_port; default the
//                    first and last of each media_udp_ports range (49152, 65535): case 1
//                    needs packets shown to reach them (an answer or ICMP port unreachable)
//   accept_degraded  (media) case 2 passes instead of failing; default false
//   timeout_ms       per probe; default the run's probe timeout (agent.conf)
//   max_concurrency  probes in flight at once; default 100
//   ca_file          trust store (PEM file or hashed directory); default the system store
//   use_proxy        honour the configured HTTP proxy for HTTPS/WSS; default true
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType reachability_check_type();

}  // namespace clinic_audit
