// Where `enroll` and `submit` connect (DESIGN.md §7): the collector's URL and
// the HTTP proxy to reach it through (CONNECT, RFC 9110 §9.3.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::delivery {

// https://HOST[:PORT][/PATH]. The collector speaks HTTPS only; PATH (without
// a trailing '/') prefixes the API paths, so a collector behind a reverse
// proxy at https://it.example/audit works.
struct CollectorUrl {
  std::string host;  // without brackets for IPv6
  std::string port = "443";
  std::string base_path;  // "" or "/audit"
  std::string text;       // as given, for messages
};

// Throws std::invalid_argument with the reason (not https, no host, user
// info, query or fragment, bad port).
CollectorUrl parse_collector_url(std::string_view url);

// http://[USER:PASSWORD@]HOST[:PORT][/] (port 3128, Squid's, when none).
struct ProxyUrl {
  std::string host;
  std::string port = "3128";
  std::string authorization;  // "Basic base64(user:password)" or ""
  std::string text;           // without credentials, for messages
};

// Throws std::invalid_argument with the reason.
ProxyUrl parse_proxy_url(std::string_view url);

// The proxy for `target_host`: the configured one (agent.conf <proxy>), else
// https_proxy / HTTPS_PROXY from the environment, unless no_proxy / NO_PROXY
// names the host (comma-separated names, ".suffix" or "suffix" matching
// subdomains, "*" for all: curl's rules). nullopt: connect directly.
std::optional<ProxyUrl> choose_proxy(const std::optional<std::string>& configured, std::string_view target_host);

}  // namespace clinic_audit::delivery
