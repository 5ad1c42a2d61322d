#include "reachability_check.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <stdexcept>

#include "endpoint_spec.hpp"
#include "media_verdict.hpp"
#include "probe.hpp"
#include "signalling_verdict.hpp"

namespace clinic_audit {
namespace {

using namespace reachability;

std::vector<PortRange> port_list_param(const Params& params, std::string_view name, std::string_view fallback) {
  try {
    return parse_port_list(params.get_or(name, fallback));
  } catch (const std::invalid_argument& e) {
    throw ParamError(std::string(name), "parameter '" + std::string(name) + "': " + e.what());
  }
}

std::uint16_t port_param(const Params& params, std::string_view name) {
  return static_cast<std::uint16_t>(params.integer(name, 443, 1, 65535));
}

std::vector<ServerSpec> servers_param(const Params& params, std::string_view name) {
  std::vector<ServerSpec> servers;
  for (const auto& text : params.all(name)) {
    try {
      servers.push_back(parse_server(text));
    } catch (const std::invalid_argument& e) {
      throw ParamError(std::string(name), "parameter '" + std::string(name) + "': " + e.what());
    }
  }
  return servers;
}

class ReachabilityCheck final : public Check {
 public:
  explicit ReachabilityCheck(const Params& params)
      : mode_(params.one_of("probe", {"https", "wss", "media"})),
        hosts_(params.all("host")),
        port_(port_param(params, "port")),
        path_(params.get_or("path", "/")),
        origin_(params.get_or("origin", "")),
        min_rsa_bits_(static_cast<int>(params.integer("min_rsa_bits", 2048, 512, 16384))),
        expect_public_(params.flag("expect_public", true)),
        proxies_(servers_param(params, "media_proxy")),
        sfus_(servers_param(params, "sfu")),
        media_udp_ports_(port_list_param(params, "media_udp_ports", "443,49152-65535")),
        sfu_udp_ports_(port_list_param(params, "sfu_udp_ports", "49152-65535")),
        stun_udp_port_(port_param(params, "stun_udp_port")),
        stun_tcp_port_(port_param(params, "stun_tcp_port")),
        stun_tls_port_(port_param(params, "stun_tls_port")),
        accept_degraded_(params.flag("accept_degraded", false)),
        timeout_ms_(params.integer("timeout_ms", 0, 0, 600000)),
        max_concurrency_(static_cast<std::size_t>(params.integer("max_concurrency", 100, 1, 1024))),
        ca_file_(params.get_or("ca_file", "")),
        use_proxy_(params.flag("use_proxy", true)) {
    if (params.has("sfu_probe_ports")) {
      sfu_probe_ports_ = port_list_param(params, "sfu_probe_ports", "");
    } else {
      sfu_probe_ports_ = {{sfu_udp_ports_.front().first, sfu_udp_ports_.front().first},
                          {sfu_udp_ports_.back().last, sfu_udp_ports_.back().last}};
    }
    if (params.has("media_probe_ports")) {
      media_probe_ports_ = port_list_param(params, "media_probe_ports", "");
    } else {
      // The proxies' media range besides the STUN port (seed: 49152-65535):
      // both ends of each range, so that case 1 is never called proven on the
      // STUN port alone (issue #21 item 8).
      for (const auto& range : media_udp_ports_) {
        for (const std::uint16_t port : {range.first, range.last}) {
          const bool seen = std::any_of(media_probe_ports_.begin(), media_probe_ports_.end(),
                                        [port](const PortRange& r) { return r.first == port; });
          if (port != stun_udp_port_ && !seen) media_probe_ports_.push_back({port, port});
        }
      }
    }
    for (const auto& [name, list] :
         {std::pair<const char*, const std::vector<PortRange>*>{"sfu_probe_ports", &sfu_probe_ports_},
          {"media_probe_ports", &media_probe_ports_}}) {
      std::size_t sampled = 0;
      for (const auto& range : *list) sampled += std::size_t{range.last} - range.first + 1;
      if (sampled > 64) {
        // Probing a whole range proves no more than a sample: silence stays silence.
        throw ParamError(name, "parameter '" + std::string(name) + "' lists " + std::to_string(sampled) +
                                   " ports; sample at most 64");
      }
    }
    if (mode_ == "media") {
      if (proxies_.empty()) throw ParamError("media_proxy", "probe 'media' needs at least one 'media_proxy'");
    } else {
      if (hosts_.empty()) throw ParamError("host", "probe '" + mode_ + "' needs at least one 'host'");
      for (const auto& host : hosts_) {
        if (!is_valid_host(host))
          throw ParamError("host", "parameter 'host': '" + host + "' is not a host name or address");
      }
    }
    if (path_.empty() || path_.front() != '/' || path_.find_first_of("\r\n ") != std::string::npos) {
      throw ParamError("path", "parameter 'path' must start with '/' and contain no space or line break");
    }
    if (origin_.find_first_of("\r\n") != std::string::npos)
      throw ParamError("origin", "parameter 'origin' has a line break");
  }

  Outcome run(const Context& context) const override {
    if (context.network().offline) return Outcome::skipped(_("network probes are disabled (--offline)"));
    ProbeOptions options;
    options.timeout = timeout_ms_ > 0 ? std::chrono::milliseconds(timeout_ms_) : context.network().probe_timeout;
    options.max_concurrency = max_concurrency_;
    options.ca_path = ca_file_;
    if (use_proxy_ && context.network().https_proxy && !context.network().https_proxy->empty()) {
      ProxyEndpoint proxy;
      try {
        proxy.spec = parse_proxy_url(*context.network().https_proxy);
      } catch (const std::invalid_argument& e) {
        return Outcome::error(tr("the configured HTTPS proxy is unusable: {0}", e.what()));
      }
      const auto answer = resolve_all({proxy.spec.host}, options.timeout, 1).front();
      if (!answer.ok()) {
        return Outcome::error(tr("cannot resolve the HTTPS proxy {0}: {1}", proxy.spec.display, answer.error));
      }
      proxy.address = answer.all().front();
      options.proxy = proxy;
    }
    try {
      return mode_ == "media" ? run_media(options) : run_signalling(options);
    } catch (const std::runtime_error& e) {
      return Outcome::error(e.what());
    }
  }

 private:
  Outcome run_signalling(const ProbeOptions& options) const {
    const Transport transport = mode_ == "wss" ? Transport::wss : Transport::tls;
    const auto answers = resolve_all(hosts_, options.timeout, max_concurrency_);
    std::vector<ProbeTarget> targets;
    std::vector<std::size_t> owner;
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      ProbeTarget target{transport, hosts_[i], "", port_, path_, origin_, false};
      if (options.proxy) {
        // HTTPS and WSS go where the browsers go: through CONNECT.
        target.via_proxy = true;
        targets.push_back(target);
        owner.push_back(i);
        continue;
      }
      for (const auto& address : answers[i].all()) {
        target.address = address;
        targets.push_back(target);
        owner.push_back(i);
      }
    }
    auto results = run_probes(targets, options);
    std::vector<SignallingHost> hosts(hosts_.size());
    for (std::size_t i = 0; i < hosts_.size(); ++i) hosts[i] = {hosts_[i], answers[i], {}};
    for (std::size_t i = 0; i < results.size(); ++i) hosts[owner[i]].probes.push_back(std::move(results[i]));
    SignallingPlan plan{transport, port_, min_rsa_bits_, expect_public_,
                        options.proxy ? options.proxy->spec.display : std::string{}};
    return judge_signalling(hosts, plan);
  }

  Outcome run_media(const ProbeOptions& options) const {
    std::vector<MediaServerProbes> servers;
    std::vector<std::string> names;
    for (const auto& spec : proxies_) servers.push_back({spec, false, {}, {}, {}, {}, {}});
    for (const auto& spec : sfus_) servers.push_back({spec, true, {}, {}, {}, {}, {}});
    for (const auto& server : servers) {
      if (!server.server.name.empty()) names.push_back(server.server.name);
    }
    const auto answers = resolve_all(names, options.timeout, max_concurrency_);
    std::size_t next_answer = 0;
    for (auto& server : servers) {
      server.addresses = server.server.addresses;
      if (server.server.name.empty()) continue;
      const DnsAnswer& answer = answers[next_answer++];
      if (!answer.ok()) {
        server.dns_note =
            tr("failed: {0}", answer.error) + (server.addresses.empty() ? "" : _("; probing the seed's addresses"));
        continue;
      }
      server.dns_note = "IPv4 [" + join(answer.ipv4) + "], IPv6 [" + join(answer.ipv6) + "]";
      std::vector<std::string> extra;
      for (const auto& address : answer.all()) {
        if (std::find(server.addresses.begin(), server.addresses.end(), address) == server.addresses.end()) {
          if (!server.server.addresses.empty()) extra.push_back(address);
          server.addresses.push_back(address);
        }
      }
      if (!extra.empty())
        server.dns_note += tr("; not in the seed's table (firewall rules by address must add them): {0}", join(extra));
    }

    // Every probe of every server in one concurrent run (about one timeout).
    std::vector<ProbeTarget> targets;
    enum class Kind { udp, stream, media_range };
    struct Slot {
      std::size_t server;
      Kind kind;
    };
    std::vector<Slot> slots;
    for (std::size_t s = 0; s < servers.size(); ++s) {
      const auto& server = servers[s];
      const std::string host = server.server.label();
      for (const auto& address : server.addresses) {
        if (server.sfu) {
          for (const auto& range : sfu_probe_ports_) {
            for (std::uint32_t port = range.first; port <= range.last; ++port) {
              targets.push_back({Transport::stun_udp, host, address, static_cast<std::uint16_t>(port), "/", "", false});
              slots.push_back({s, Kind::udp});
            }
          }
          continue;
        }
        targets.push_back({Transport::stun_udp, host, address, stun_udp_port_, "/", "", false});
        slots.push_back({s, Kind::udp});
        for (const auto& range : media_probe_ports_) {
          for (std::uint32_t port = range.first; port <= range.last; ++port) {
            targets.push_back({Transport::stun_udp, host, address, static_cast<std::uint16_t>(port), "/", "", false});
            slots.push_back({s, Kind::media_range});
          }
        }
        targets.push_back({Transport::stun_tcp, host, address, stun_tcp_port_, "/", "", false});
        slots.push_back({s, Kind::stream});
        targets.push_back({Transport::stun_tls, host, address, stun_tls_port_, "/", "", false});
        slots.push_back({s, Kind::stream});
      }
    }
    auto results = run_probes(targets, options);
    for (std::size_t i = 0; i < results.size(); ++i) {
      auto& server = servers[slots[i].server];
      auto& list = slots[i].kind == Kind::udp      ? server.udp
                   : slots[i].kind == Kind::stream ? server.stream
                                                   : server.media_udp;
      list.push_back(std::move(results[i]));
    }
    MediaPlan plan{media_udp_ports_,  sfu_udp_ports_,   sfu_probe_ports_,
                   stun_tcp_port_,    accept_degraded_, options.proxy ? options.proxy->spec.display : std::string{},
                   media_probe_ports_};
    return judge_media(servers, plan);
  }

  static std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
  }

  std::string mode_;
  std::vector<std::string> hosts_;
  std::uint16_t port_;
  std::string path_;
  std::string origin_;
  int min_rsa_bits_;
  bool expect_public_;
  std::vector<ServerSpec> proxies_;
  std::vector<ServerSpec> sfus_;
  std::vector<PortRange> media_udp_ports_;
  std::vector<PortRange> sfu_udp_ports_;
  std::vector<PortRange> sfu_probe_ports_;
  std::vector<PortRange> media_probe_ports_;
  std::uint16_t stun_udp_port_;
  std::uint16_t stun_tcp_port_;
  std::uint16_t stun_tls_port_;
  bool accept_degraded_;
  std::int64_t timeout_ms_;
  std::size_t max_concurrency_;
  std::string ca_file_;
  bool use_proxy_;
};

}  // namespace

CheckType reachability_check_type() {
  return {"reachability",
          N_("network paths of a teleconsultation: DNS, TCP, TLS (annex-2 certificates), WebSocket upgrade, STUN over "
             "UDP/TCP/TLS; verdict in the e-KerMed seed's cases"),
          true, [](const Params& params) { return std::make_unique<ReachabilityCheck>(params); }};
}

}  // namespace clinic_audit
