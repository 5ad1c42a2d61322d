// The seed's verdicts from probe results (no network): case 1 / case 2 /
// blocked for the media (seed §2.2.2), the signalling judgement (§2.2.1),
// and the firewall rules they ask for.
#include <gtest/gtest.h>

#include "media_verdict.hpp"
#include "signalling_verdict.hpp"

namespace clinic_audit::reachability {
namespace {

ProbeResult probe(Transport transport, const std::string& address, std::uint16_t port, ReachState state) {
  ProbeResult result;
  result.target = ProbeTarget{transport, address, address, port, "/", "", false};
  result.state = state;
  result.detail = to_string(state);
  return result;
}

// A media proxy whose high range (49152, 65535) answers like `range`
// (by default: ICMP port unreachable, packets arrive).
MediaServerProbes proxy(const std::string& address, ReachState udp, ReachState tcp,
                        ReachState range = ReachState::refused) {
  return {parse_server(address),
          false,
          {address},
          "",
          {probe(Transport::stun_udp, address, 443, udp)},
          {probe(Transport::stun_tcp, address, 443, tcp), probe(Transport::stun_tls, address, 443, tcp)},
          {probe(Transport::stun_udp, address, 49152, range), probe(Transport::stun_udp, address, 65535, range)}};
}

MediaServerProbes sfu(const std::string& address, ReachState udp) {
  return {parse_server(address), true, {address}, "", {probe(Transport::stun_udp, address, 49152, udp)}, {}, {}};
}

const MediaPlan kPlan{{{443, 443}, {49152, 65535}},    {{49152, 65535}}, {{49152, 49152}}, 443, false, "",
                      {{49152, 49152}, {65535, 65535}}};

// Issue #21 item 8, the false pass: UDP 443 answers, the high ports are
// silently dropped. Case 1 is not proven; case 2 is what TCP shows.
TEST(MediaVerdict, SilentMediaRangeIsNotCase1) {
  const auto outcome = judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::answered, ReachState::timeout),
                                    sfu("192.0.2.9", ReachState::timeout)},
                                   kPlan);
  EXPECT_EQ(outcome.status, Status::fail) << outcome.summary;
  EXPECT_EQ(outcome.summary.find("case 1:"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.summary.find("case 2 proven"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.summary.find("case 1 not proven for 192.0.2.1"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.summary.find("silence proves nothing"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.remediation.find("allow UDP 443,49152-65535 out to 192.0.2.1"), std::string::npos);
  MediaPlan lenient = kPlan;
  lenient.accept_degraded = true;
  EXPECT_EQ(judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::answered, ReachState::timeout)}, lenient)
                .status,
            Status::pass);
  // Without TCP either, nothing is proven beyond UDP 443: fail even when degraded is accepted.
  EXPECT_EQ(
      judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::timeout, ReachState::timeout)}, lenient).status,
      Status::fail);
}

TEST(MediaVerdict, RejectedMediaRangeNeedsTheRule) {
  const auto outcome =
      judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::answered, ReachState::unreachable)}, kPlan);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_NE(outcome.summary.find("case 2: TCP 443 only"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.summary.find("UDP 49152,65535 rejected"), std::string::npos) << outcome.summary;
}

TEST(MediaVerdict, SummaryClausesReadWell) {
  const auto outcome = judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::answered),
                                    sfu("192.0.2.9", ReachState::unreachable)},
                                   kPlan);
  EXPECT_EQ(outcome.summary.find("but;"), std::string::npos) << outcome.summary;
  EXPECT_EQ(outcome.summary.find(";;"), std::string::npos) << outcome.summary;
  EXPECT_EQ(outcome.summary.find("; ("), std::string::npos) << outcome.summary;
}

TEST(MediaVerdict, Case1WhenEveryProxyAnswersOverUdp) {
  const auto outcome =
      judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::timeout),
                   proxy("192.0.2.2", ReachState::refused, ReachState::timeout), sfu("192.0.2.9", ReachState::timeout)},
                  kPlan);
  EXPECT_EQ(outcome.status, Status::pass);
  EXPECT_NE(outcome.summary.find("case 1: UDP allowed to 192.0.2.1, 192.0.2.2 (packets arrive"), std::string::npos)
      << outcome.summary;
  EXPECT_NE(outcome.summary.find("(STUN port and media range 49152,65535 reached)"), std::string::npos)
      << outcome.summary;
  EXPECT_NE(outcome.summary.find("SFU UDP unverified for 192.0.2.9"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.summary.find("SFU ports probed: 49152; the rest of 49152-65535 was not"), std::string::npos)
      << outcome.summary;
  EXPECT_TRUE(outcome.remediation.empty());
}

TEST(MediaVerdict, Case2WhenUdpSilentAndTcpAnswers) {
  const auto outcome = judge_media({proxy("192.0.2.1", ReachState::timeout, ReachState::answered),
                                    sfu("192.0.2.9", ReachState::timeout)},
                                   kPlan);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_NE(outcome.summary.find("case 2: TCP 443 only"), std::string::npos) << outcome.summary;
  // Case 2 asks for the case-1 rules: the proxy's UDP ports and the SFU range.
  EXPECT_NE(outcome.remediation.find("allow UDP 443,49152-65535 out to 192.0.2.1"), std::string::npos);
  EXPECT_NE(outcome.remediation.find("allow UDP 49152-65535 out to 192.0.2.9"), std::string::npos);
  MediaPlan lenient = kPlan;
  lenient.accept_degraded = true;
  EXPECT_EQ(judge_media({proxy("192.0.2.1", ReachState::timeout, ReachState::answered)}, lenient).status, Status::pass);
}

TEST(MediaVerdict, BlockedWhenAProxyHasNoPath) {
  const auto outcome = judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::answered),
                                    proxy("192.0.2.2", ReachState::unreachable, ReachState::timeout)},
                                   kPlan);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_NE(outcome.summary.find("blocked: no media path to 192.0.2.2"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.remediation.find("allow TCP 443 out to 192.0.2.2"), std::string::npos);
}

TEST(MediaVerdict, RejectedSfuFailsCase1) {
  const auto outcome = judge_media({proxy("192.0.2.1", ReachState::answered, ReachState::answered),
                                    sfu("192.0.2.9", ReachState::unreachable)},
                                   kPlan);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_NE(outcome.summary.find("SFU UDP blocked to 192.0.2.9"), std::string::npos) << outcome.summary;
}

TEST(MediaVerdict, FirewallRuleSplitsAddressFamilies) {
  const auto rule = firewall_rule("UDP", "mp.example", {"192.0.2.1", "2001:db8::1"}, {{443, 443}, {49152, 65535}});
  EXPECT_NE(rule.find("allow UDP 443,49152-65535 out to mp.example (192.0.2.1, 2001:db8::1)"), std::string::npos);
  EXPECT_NE(rule.find("nft add rule inet filter output ip daddr { 192.0.2.1 } udp dport { 443, 49152-65535 } accept"),
            std::string::npos);
  EXPECT_NE(rule.find("ip6 daddr { 2001:db8::1 } udp dport"), std::string::npos) << rule;
}

TEST(SignallingVerdict, Ipv6WithoutRouteIsANoteWhenIpv4Works) {
  DnsAnswer dns;
  dns.host = "h.example";
  dns.ipv4 = {"192.0.2.1"};
  dns.ipv6 = {"2001:db8::1"};
  SignallingHost host{"h.example",
                      dns,
                      {probe(Transport::tls, "192.0.2.1", 443, ReachState::answered),
                       probe(Transport::tls, "2001:db8::1", 443, ReachState::unreachable)}};
  const auto outcome = judge_signalling({host}, SignallingPlan{});
  EXPECT_EQ(outcome.status, Status::pass) << outcome.summary;
  EXPECT_NE(outcome.summary.find("note:"), std::string::npos);
  host.probes[0].state = ReachState::timeout;
  const auto blocked = judge_signalling({host}, SignallingPlan{});
  EXPECT_EQ(blocked.status, Status::fail);
  EXPECT_NE(blocked.remediation.find("allow TCP 443 out to h.example (192.0.2.1, 2001:db8::1)"), std::string::npos)
      << blocked.remediation;
}

TEST(SignallingVerdict, DnsFailureFailsWithoutProxyOnly) {
  DnsAnswer dns;
  dns.host = "h.example";
  dns.error = "Name or service not known";
  EXPECT_EQ(judge_signalling({{"h.example", dns, {}}}, SignallingPlan{}).status, Status::fail);
  SignallingPlan proxied;
  proxied.proxy_display = "http://proxy:3128";
  ProbeResult through = probe(Transport::tls, "h.example", 443, ReachState::answered);
  through.target.via_proxy = true;
  EXPECT_EQ(judge_signalling({{"h.example", dns, {through}}}, proxied).status, Status::pass);
}

}  // namespace
}  // namespace clinic_audit::reachability

namespace clinic_audit::reachability {
namespace {

ProbeResult wss_answer(const std::string& detail, const std::string& intermediary, bool via_proxy) {
  ProbeResult result;
  result.target = ProbeTarget{Transport::wss, "ccs.example", via_proxy ? "" : "192.0.2.5", 443, "/", "", via_proxy};
  result.state = ReachState::answered;
  result.upgrade = UpgradeVerdict{true, false, detail, intermediary};
  return result;
}

TEST(SignallingVerdict, NamesWhoStripsTheWebSocketUpgrade) {
  DnsAnswer dns;
  dns.host = "ccs.example";
  dns.ipv4 = {"192.0.2.5"};
  dns.ipv6 = {"2001:db8::5"};
  SignallingPlan plan;
  plan.transport = Transport::wss;
  // Through the configured proxy, no Via: the proxy is named.
  plan.proxy_display = "http://proxy.lan:3128";
  auto outcome = judge_signalling({{"ccs.example", dns, {wss_answer("answered HTTP 200 OK", "", true)}}}, plan);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_NE(outcome.summary.find("did not survive the path through the proxy http://proxy.lan:3128"), std::string::npos)
      << outcome.summary;
  EXPECT_NE(outcome.evidence.front().observed.find("IPv4 [192.0.2.5], IPv6 [2001:db8::5]"), std::string::npos);
  // A TLS-inspecting proxy: its issuer is named as the one stripping the upgrade.
  ProbeResult inspected = wss_answer("answered HTTP 403 Forbidden", "", true);
  inspected.certificate = CertInfo{};
  inspected.certificate->issuer = inspected.certificate->chain_top_issuer = "CN=Corp Inspection CA";
  inspected.certificate->key_type = "RSA";
  inspected.certificate->key_bits = 2048;
  inspected.certificate->security_bits = 112;
  inspected.certificate->signature_hash = "SHA256";
  inspected.certificate->verify_code = 20;  // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  outcome = judge_signalling({{"ccs.example", dns, {inspected}}}, plan);
  EXPECT_NE(outcome.summary.find("TLS inspection by a proxy"), std::string::npos) << outcome.summary;
  EXPECT_NE(outcome.summary.find("the TLS-inspecting proxy (issuer 'CN=Corp Inspection CA') strips the upgrade"),
            std::string::npos)
      << outcome.summary;
}

}  // namespace
}  // namespace clinic_audit::reachability
