#include "media_verdict.hpp"
#include "i18n.hpp"

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
  return std::any_of(probes.begin(), probes.end(),
                     [](const ProbeResult& p) { return p.state == ReachState::answered; });
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

Evidence probe_evidence(const ProbeResult& probe, const std::string& expected) {
  std::string observed = probe.target.label() + ": " + to_string(probe.state) + " -- " + probe.detail;
  if (probe.stun && probe.stun->mapped) {
    observed +=
        tr("; public address seen by the server: {0}:{1}", probe.stun->mapped->address, probe.stun->mapped->port);
  }
  if (probe.stun && probe.stun->software) observed += tr("; server software: {0}", *probe.stun->software);
  if (probe.certificate) observed += tr("; certificate: {0}", probe.certificate->describe());
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
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string rule = tr("allow {0} {1} out to {2}", protocol, ports_text, label);
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
  std::vector<std::string> range_unproven;  // STUN port proven, media range silent
  std::vector<std::string> sfu_arrive;
  std::vector<std::string> sfu_unverified;
  std::vector<std::string> sfu_blocked;
  std::vector<std::string> rules;
  const std::string udp_expected = _("STUN Binding answered over UDP (seed §2.2.2 case 1)");
  const std::string range_expected = _("UDP packets reach the media proxy's media range (an answer or ICMP port "
                                       "unreachable; seed §2.2.2 case 1)");
  const std::string tcp_expected = tr("STUN Binding answered over TCP/TLS {0} (seed §2.2.2 case 2)", plan.tcp_port);
  const std::string range_text = format_port_list(plan.proxy_probe_ports);

  for (const auto& server : servers) {
    const std::string label = server.server.label();
    if (!server.dns_note.empty()) evidence.push_back({"", std::nullopt, "DNS " + label + ": " + server.dns_note, ""});
    for (const auto& probe : server.udp) {
      evidence.push_back(
          probe_evidence(probe, server.sfu ? std::string(_("UDP packets reach the SFU")) : udp_expected));
    }
    for (const auto& probe : server.media_udp) evidence.push_back(probe_evidence(probe, range_expected));
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
    const bool stun_ok = proof == UdpProof::answered || proof == UdpProof::arrives;
    // Without a media range beyond the STUN port there is nothing more to prove.
    const UdpProof range = plan.proxy_probe_ports.empty() ? UdpProof::answered : udp_proof(server.media_udp);
    const bool range_ok = range == UdpProof::answered || range == UdpProof::arrives;
    if (stun_ok && range_ok) {
      udp_ok.push_back(
          label + (proof == UdpProof::arrives ? _(" (packets arrive, ICMP port unreachable; no STUN answer)") : ""));
      continue;
    }
    rules.push_back(firewall_rule("UDP", label, server.addresses, plan.proxy_udp_ports));
    if (stun_ok && range == UdpProof::unverified) {
      range_unproven.push_back(label);
    } else if (stun_ok) {
      udp_missing.push_back(label + tr(" (UDP {0} rejected)", range_text));
    } else {
      udp_missing.push_back(label +
                            (proof == UdpProof::unverified ? _(" (UDP silent: unverified)") : _(" (UDP rejected)")));
    }
    if (stream_answered(server.stream)) {
      if (!(stun_ok && range == UdpProof::unverified)) tcp_only.push_back(label);
    } else if (!stun_ok) {
      no_path.push_back(label);
      rules.push_back(firewall_rule("TCP", label, server.addresses, {{plan.tcp_port, plan.tcp_port}}));
    }
  }

  // Clauses of the summary, joined with "; ".
  std::vector<std::string> notes;
  if (!range_unproven.empty()) {
    notes.push_back(tr("case 1 not proven for {0}: the STUN port answers over UDP but the media range {1} is silent "
                       "(probed {2}; silence proves nothing, so nothing is shown to get through)",
                       join(range_unproven, ", "), format_port_list(plan.proxy_udp_ports), range_text));
  }
  if (!sfu_arrive.empty()) notes.push_back(tr("SFU UDP proven to arrive at {0}", join(sfu_arrive, ", ")));
  if (!sfu_unverified.empty()) {
    notes.push_back(tr("SFU UDP unverified for {0} (silent: SFUs answer only during a call, silence proves nothing)",
                       join(sfu_unverified, ", ")));
  }
  if (!sfu_blocked.empty()) notes.push_back(tr("SFU UDP blocked to {0}", join(sfu_blocked, ", ")));
  if ((!sfu_arrive.empty() || !sfu_unverified.empty() || !sfu_blocked.empty()) && !plan.sfu_probe_ports.empty()) {
    notes.push_back(tr("SFU ports probed: {0}; the rest of {1} was not", format_port_list(plan.sfu_probe_ports),
                       format_port_list(plan.sfu_udp_ports)));
  }
  if (!plan.proxy_display.empty()) {
    notes.push_back(tr("the HTTP proxy {0} carries TCP only: UDP media cannot go through it and was probed directly",
                       plan.proxy_display));
  }
  const auto with_notes = [&notes](std::string head) {
    for (const auto& note : notes) head += "; " + note;
    return head;
  };
  const auto sfu_rules_for_case1 = [&]() {
    for (const auto& server : servers) {
      if (server.sfu && std::find(sfu_blocked.begin(), sfu_blocked.end(), server.server.label()) == sfu_blocked.end()) {
        rules.push_back(firewall_rule("UDP", server.server.label(), server.addresses, plan.sfu_udp_ports));
      }
    }
  };

  Outcome outcome;
  const std::string tcp = "TCP " + std::to_string(plan.tcp_port);
  if (!no_path.empty()) {
    outcome = Outcome::fail(
        with_notes(tr("blocked: no media path to {0} (neither UDP nor {1} STUN answered)", join(no_path, ", "), tcp)));
  } else if (!tcp_only.empty() || !range_unproven.empty()) {
    // Case 1 is not proven for some proxy: what is proven is case 2 at best.
    bool tcp_everywhere = true;
    for (const auto& server : servers) {
      if (!server.sfu && !stream_answered(server.stream) &&
          std::find(udp_ok.begin(), udp_ok.end(), server.server.label()) == udp_ok.end()) {
        tcp_everywhere = false;
      }
    }
    std::string head;
    if (!tcp_only.empty()) {
      head = tr("case 2: {0} only -- teleconsultation works with degraded video; UDP not proven to {1}", tcp,
                join(udp_missing, ", "));
    } else if (tcp_everywhere) {
      head = tr("case 2 proven ({0} STUN answers): teleconsultation works with at least degraded video", tcp);
    } else {
      head = tr("case 1 not proven and {0} STUN does not answer", tcp);
    }
    outcome =
        plan.accept_degraded && tcp_everywhere ? Outcome::pass(with_notes(head)) : Outcome::fail(with_notes(head));
    sfu_rules_for_case1();
  } else if (!sfu_blocked.empty()) {
    outcome = Outcome::fail(
        with_notes(tr("case 1 for the media proxies (UDP to {0}), not for the SFUs", join(udp_ok, ", "))));
  } else {
    std::string head = tr("case 1: UDP allowed to {0}", join(udp_ok, ", "));
    if (!plan.proxy_probe_ports.empty()) head += tr(" (STUN port and media range {0} reached)", range_text);
    outcome = Outcome::pass(with_notes(head));
  }
  outcome.evidence = std::move(evidence);
  if (!rules.empty())
    outcome.remediation = std::string(_("Firewall rules still to open (seed §2.2.2):")) + "\n  " + join(rules, "\n  ");
  return outcome;
}

}  // namespace clinic_audit::reachability
