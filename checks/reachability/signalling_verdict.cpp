#include "signalling_verdict.hpp"

#include <algorithm>

#include "i18n.hpp"
#include "media_verdict.hpp"

namespace clinic_audit::reachability {
namespace {

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

bool is_v6(const ProbeResult& probe) {
  return !probe.target.via_proxy && probe.target.address.find(':') != std::string::npos;
}

// Problems with what answered: certificate (annex 2, trust, inspection)
// and, for WSS, the upgrade (RFC 6455 §4.1).
void judge_answer(const ProbeResult& probe, const SignallingPlan& plan, std::vector<std::string>& problems) {
  const std::string where = probe.target.label();
  std::string inspection_issuer;
  if (probe.certificate) {
    const CertInfo& cert = *probe.certificate;
    if (!cert.chain_trusted() && cert.untrusted_issuer() && plan.expect_public) {
      // Only a re-signing CA is an inspecting proxy; a self-signed leaf is
      // the server's own (or whatever answers in its place) certificate.
      if (cert.untrusted_origin() != CertInfo::Origin::self_signed_server) inspection_issuer = cert.chain_top_issuer;
      problems.push_back(where + ": " + cert.untrusted_explanation());
    } else if (!cert.chain_trusted()) {
      problems.push_back(tr("{0}: certificate not valid: {1}", where, cert.verify_message));
    }
    if (const auto annex2 = judge_annex2(cert, plan.min_rsa_bits); !annex2.ok) {
      problems.push_back(tr("{0}: annex 2 (SHA-256, 2048-bit key) not met: {1}", where, annex2.problem));
    }
  }
  if (plan.transport == Transport::wss && probe.upgrade && !probe.upgrade->upgraded) {
    std::string who;
    if (!inspection_issuer.empty()) {
      who = tr("the TLS-inspecting proxy (issuer '{0}') strips the upgrade", inspection_issuer);
    } else if (!probe.upgrade->intermediary.empty()) {
      who = tr("an intermediary ({0}) strips the upgrade", probe.upgrade->intermediary);
    } else if (probe.target.via_proxy && !plan.proxy_display.empty()) {
      who = tr("the upgrade did not survive the path through the proxy {0}", plan.proxy_display);
    } else {
      who = _("the server did not upgrade");
    }
    problems.push_back(
        tr("{0}: the path is open (HTTP answer) but no WebSocket: {1}; {2}", where, probe.upgrade->detail, who));
  }
}

Evidence probe_evidence(const ProbeResult& probe, const SignallingPlan& plan) {
  std::string observed = probe.target.label() + ": " + to_string(probe.state) + " -- " + probe.detail;
  if (probe.proxy_status) observed += tr("; proxy answered CONNECT with HTTP {0}", *probe.proxy_status);
  if (!probe.proxy_detail.empty()) observed += " (" + probe.proxy_detail + ")";
  if (probe.certificate) observed += tr("; certificate: {0}", probe.certificate->describe());
  if (probe.upgrade && !probe.upgrade->intermediary.empty()) observed += "; " + probe.upgrade->intermediary;
  std::string expected = plan.transport == Transport::wss
                             ? _("TLS with a trusted SHA-256/2048-bit certificate, then 101 Switching Protocols")
                             : _("TLS handshake with a trusted SHA-256/2048-bit certificate");
  return Evidence{"", std::nullopt, observed, expected};
}

}  // namespace

Outcome judge_signalling(const std::vector<SignallingHost>& hosts, const SignallingPlan& plan) {
  std::vector<Evidence> evidence;
  std::vector<std::string> problems;
  std::vector<std::string> notes;
  std::vector<std::string> rules;
  std::vector<std::string> good;
  const bool proxied = !plan.proxy_display.empty();

  for (const auto& host : hosts) {
    std::string dns_text = host.dns.ok()
                               ? "IPv4 [" + join(host.dns.ipv4, ", ") + "], IPv6 [" + join(host.dns.ipv6, ", ") + "]"
                               : tr("failed: {0}", host.dns.error);
    if (proxied) dns_text += _(" (informational: the proxy resolves names itself)");
    evidence.push_back({"", std::nullopt, "DNS " + host.host + ": " + dns_text, _("the name resolves")});
    if (!host.dns.ok() && !proxied) {
      problems.push_back(tr("{0}: DNS lookup failed ({1})", host.host, host.dns.error));
      continue;
    }
    std::size_t before = problems.size();
    bool any_v4 = false;
    bool v4_all = true;
    bool v6_all = true;
    std::vector<std::string> unreached;
    for (const auto& probe : host.probes) {
      evidence.push_back(probe_evidence(probe, plan));
      const bool ok = probe.state == ReachState::answered;
      if (is_v6(probe)) {
        v6_all = v6_all && ok;
      } else {
        any_v4 = true;
        v4_all = v4_all && ok;
      }
      if (ok) {
        judge_answer(probe, plan, problems);
      } else {
        unreached.push_back(probe.target.label() + ": " + to_string(probe.state) + " (" + probe.detail + ")");
      }
    }
    // A host whose IPv4 addresses all work is usable even when IPv6 is not
    // routed here: browsers fall back (RFC 8305). Then IPv6 is only a note.
    const bool reachable = !host.probes.empty() && (any_v4 ? v4_all : v6_all);
    if (!reachable) {
      problems.push_back(join(unreached, "; "));
      if (!proxied) {
        rules.push_back(firewall_rule("TCP", host.host, host.dns.all(), {{plan.port, plan.port}}));
      }
    } else if (!unreached.empty()) {
      notes.push_back(join(unreached, "; "));
    }
    if (problems.size() == before) {
      std::string text = host.host;
      for (const auto& probe : host.probes) {
        if (probe.state == ReachState::answered && probe.certificate) {
          text += " (" + probe.certificate->key_type + " " + std::to_string(probe.certificate->key_bits) + ", " +
                  probe.certificate->signature_hash + ", " + probe.certificate->tls_version + ")";
          break;
        }
      }
      good.push_back(text);
    }
  }

  const std::string what = plan.transport == Transport::wss ? _("secure WebSocket") : "HTTPS";
  const std::string via = proxied ? tr(" through the proxy {0}", plan.proxy_display) : "";
  Outcome outcome;
  if (problems.empty()) {
    outcome = Outcome::pass(tr("{0} works{1}: {2}", what, via, join(good, ", ")) +
                            (notes.empty() ? "" : tr("; note: {0}", join(notes, "; "))));
  } else {
    outcome = Outcome::fail(what + via + ": " + join(problems, "; "));
  }
  outcome.evidence = std::move(evidence);
  if (!rules.empty())
    outcome.remediation = std::string(_("Firewall rules still to open (seed §2.2.1):")) + "\n  " + join(rules, "\n  ");
  return outcome;
}

}  // namespace clinic_audit::reachability
