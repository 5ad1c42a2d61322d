// Text forms the reachability check reads from policy parameters and the
// site configuration: port lists ("443,49152-65535"), media servers
// ("mp-hds.apizee.com 146.59.148.218 135.125.9.9") and proxy URLs
// ("http://user:pw@proxy.lan:3128"). Pure parsing; throws std::invalid_argument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::reachability {

struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  bool operator==(const PortRange&) const = default;
};

// "443", "49152-65535", "443,49152-65535" (also "49152...65535" as the seed writes it).
std::vector<PortRange> parse_port_list(std::string_view text);
std::string format_port_list(const std::vector<PortRange>& ports);
std::uint16_t parse_port(std::string_view text);

// A server named in the seed: a DNS name and/or the addresses the seed lists
// for it. "NAME ADDR ADDR", "ADDR", "NAME".
struct ServerSpec {
  std::string name;                    // empty when only addresses are given
  std::vector<std::string> addresses;  // literal IPv4/IPv6 addresses
  std::string label() const;           // name, else the first address
};
ServerSpec parse_server(std::string_view text);

bool is_ip_literal(std::string_view text);
// A host name or IP literal, as allowed in a policy (letters, digits, '-', '.', ':').
bool is_valid_host(std::string_view text);

struct ProxySpec {
  std::string host;
  std::uint16_t port = 3128;
  std::string authorization;  // "Basic ..." when the URL carries user:password
  std::string display;        // URL without the password, for reports
};
// http://[user:pass@]host[:port][/], or host:port. An https:// proxy (TLS to
// the proxy itself) is refused: browsers on these machines use plain CONNECT.
ProxySpec parse_proxy_url(std::string_view text);

}  // namespace clinic_audit::reachability
