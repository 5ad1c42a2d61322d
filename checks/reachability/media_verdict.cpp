#include "media_verdict.hpp"

#include <algorithm>

namespace clinic_audit::reachability {
namespace {

enum class UdpProof { answered, arrives, unverified, blocked };

// What the UDP probes of one server prove, best first (udp(7) semantics,
// see probe.hpp): a STUN answer proves both ways, ICMP port unreachable
// proves the packets arrive, silence proves nothing, a local or ICMP
// rejection proves a block.
UdpProof udp_proof(const std::vector<ProbeResult>& probes) {
  UdpProof best = UdpProof::blocked;
  bool any_silent = false;
  for (const auto& probe : probes) {
    if (probe.state == ReachState::answered) return UdpProof::answered;
    if (probe.state == ReachState::refused) best = UdpProof::arrives;
    if (probe.state == ReachState::timeout || probe.state == ReachState::failed) any_silent = true;
  }
  if (best == UdpProof::arrives) return best;
  return any_silent || probes.empty() ? UdpProof::unverified : UdpProof::blocked;
}

bool stream_answered(const std::vector<ProbeResult>& probes) {
  return std::any_of(probes.begin(), probes.end(), [](const ProbeResult& p) { return p.state == ReachState::answered; });
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

Evidence probe_evidence(const ProbeResult& probe, const std::string& expected) {
  std::string observed = probe.target.label() + ": " + to_string(probe.state) + " -- " + probe.detail;
  if (probe.stun && probe.stun->mapped) {
    observed += "; public address seen by the server: " + probe.stun->mapped->address + ":" +
                std::to_string(probe.stun->mapped->port);
  }
  if (probe.stun && probe.stun->software) observed += "; server software: " + *probe.stun->software;
  if (probe.certificate) observed += "; certificate: " + probe.certificate->describe();
  return Evidence{"", std::nullopt, observed, expected};
}

}  // namespace

std::string firewall_rule(const std::string& protocol, const std::string& label,
                          const std::vector<std::string>& addresses, const std::vector<PortRange>& ports) {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  for (const auto& address : addresses) (address.find(':') == std::string::npos ? v4 : v6).push_back(address);
  const std::string ports_text = format_port_list(ports);
  std::string lower = protocol;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string rule = "allow " + protocol + " " + ports_text + " out to " + label;
  if (!addresses.empty() && !(addresses.size() == 1 && addresses.front() == label)) {
    rule += " (" + join(addresses, ", ") + ")";
  }
  auto nft = [&](const std::string& family, const std::vector<std::string>& list) {
    const std::string set = join(list, ", ");
    std::string port_items;
    for (const auto& range : ports) {
      port_items += (port_items.empty() ? "" : ", ") + std::to_string(range.first) +
                    (range.last != range.first ? "-" + std::to_string(range.last) : "");
    }
    return "nft add rule inet filter output " + family + " daddr { " + set + " } " + lower + " dport { " + port_items +
           " } accept";
  };
  if (!v4.empty()) rule += "\n    " + nft("ip", v4);
  if (!v6.empty()) rule += "\n    " + nft("ip6", v6);
  return rule;
}

Outcome judge_media(const std::vector<MediaServerProbes>& servers, const MediaPlan& plan) {
  std::vector<Evidence> evidence;
  std::vector<std::string> udp_ok;
  std::vector<std::string> udp_missing;
  std::vector<std::string> tcp_only;
  std::vector<std::string> no_path;
  std::vector<std::string> sfu_arrive;
  std::vector<std::string> sfu_unverified;
  std::vector<std::string> sfu_blocked;
  std::vector<std::string> rules;
  const std::string udp_expected = "STUN Binding answered over UDP (seed §2.2.2 case 1)";
  const std::string tcp_expected = "STUN Binding answered over TCP/TLS " + std::to_string(plan.tcp_port) +
                                   " (seed §2.2.2 case 2)";

  for (const auto& server : servers) {
    const std::string label = server.server.label();
    if (!server.dns_note.empty()) evidence.push_back({"", std::nullopt, "DNS " + label + ": " + server.dns_note, ""});
    for (const auto& probe : server.udp) {
      evidence.push_back(probe_evidence(probe, server.sfu ? "UDP packets reach the SFU" : udp_expected));
    }
    for (const auto& probe : server.stream) evidence.push_back(probe_evidence(probe, tcp_expected));
    const UdpProof proof = udp_proof(server.udp);
    if (server.sfu) {
      switch (proof) {
        case UdpProof::answered:
        case UdpProof::arrives: sfu_arrive.push_back(label); break;
        case UdpProof::unverified: sfu_unverified.push_back(label); break;
        case UdpProof::blocked:
          sfu_blocked.push_back(label);
          rules.push_back(firewall_rule("UDP", label, server.addresses, plan.sfu_udp_ports));
          break;
      }
      continue;
    }
    if (proof == UdpProof::answered || proof == UdpProof::arrives) {
      udp_ok.push_back(label + (proof == UdpProof::arrives ? " (packets arrive, ICMP port unreachable; no STUN answer)" : ""));
      continue;
    }
    udp_missing.push_back(label + (proof == UdpProof::unverified ? " (UDP silent: unverified)" : " (UDP rejected)"));
    rules.push_back(firewall_rule("UDP", label, server.addresses, plan.proxy_udp_ports));
    if (stream_answered(server.stream)) {
      tcp_only.push_back(label);
    } else {
      no_path.push_back(label);
      rules.push_back(firewall_rule("TCP", label, server.addresses, {{plan.tcp_port, plan.tcp_port}}));
    }
  }

  std::string sfu_text;
  if (!sfu_arrive.empty()) sfu_text += "; SFU UDP proven to arrive at " + join(sfu_arrive, ", ");
  if (!sfu_unverified.empty()) {
    sfu_text += "; SFU UDP unverified for " + join(sfu_unverified, ", ") +
                " (silent: SFUs answer only during a call, silence proves nothing)";
  }
  if (!sfu_blocked.empty()) sfu_text += "; SFU UDP blocked to " + join(sfu_blocked, ", ");
  if (!sfu_text.empty() && !plan.sfu_probe_ports.empty()) {
    sfu_text += " (SFU ports probed: " + format_port_list(plan.sfu_probe_ports) + "; the rest of " +
                format_port_list(plan.sfu_udp_ports) + " was not)";
  }
  std::string proxy_text;
  if (!plan.proxy_display.empty()) {
    proxy_text = "; the HTTP proxy " + plan.proxy_display +
                 " carries TCP only: UDP media cannot go through it and was probed directly";
  }

  Outcome outcome;
  if (!no_path.empty()) {
    outcome = Outcome::fail("blocked: no media path to " + join(no_path, ", ") + " (neither UDP nor TCP " +
                            std::to_string(plan.tcp_port) + " STUN answered)" + sfu_text + proxy_text);
  } else if (!tcp_only.empty()) {
    std::string summary = "case 2: TCP " + std::to_string(plan.tcp_port) +
                          " only -- teleconsultation works with degraded video; UDP not proven to " +
                          join(udp_missing, ", ") + sfu_text + proxy_text;
    outcome = plan.accept_degraded ? Outcome::pass(summary) : Outcome::fail(summary);
    for (const auto& server : servers) {
      if (server.sfu && std::find(sfu_blocked.begin(), sfu_blocked.end(), server.server.label()) == sfu_blocked.end()) {
        rules.push_back(firewall_rule("UDP", server.server.label(), server.addresses, plan.sfu_udp_ports));
      }
    }
  } else if (!sfu_blocked.empty()) {
    outcome = Outcome::fail("case 1 for the media proxies (UDP to " + join(udp_ok, ", ") + ") but" + sfu_text + proxy_text);
  } else {
    outcome = Outcome::pass("case 1: UDP allowed to " + join(udp_ok, ", ") + sfu_text + proxy_text);
  }
  outcome.evidence = std::move(evidence);
  if (!rules.empty()) outcome.remediation = "Firewall rules still to open (seed §2.2.2):\n  " + join(rules, "\n  ");
  return outcome;
}

}  // namespace clinic_audit::reachability
