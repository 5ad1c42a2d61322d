#include "findings.hpp"

#include <algorithm>

namespace clinic_audit::browser {
namespace {

struct Origin {
  std::string scheme, host, port;
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Origin split(std::string_view text) {
  Origin o;
  if (const auto sep = text.find("://"); sep != std::string_view::npos) {
    o.scheme = lower(text.substr(0, sep));
    text.remove_prefix(sep + 3);
  }
  text = text.substr(0, text.find('/'));
  if (const auto colon = text.rfind(':'); colon != std::string_view::npos && text.find(']') == std::string_view::npos) {
    o.port = std::string(text.substr(colon + 1));
    text = text.substr(0, colon);
  } else if (const auto close = text.rfind("]:"); close != std::string_view::npos) {
    o.port = std::string(text.substr(close + 2));
    text = text.substr(0, close + 1);
  }
  o.host = lower(text);
  return o;
}

std::string default_port(const std::string& scheme) { return scheme == "http" ? "80" : "443"; }

}  // namespace

bool origin_matches(std::string_view pattern, std::string_view origin_text) {
  if (pattern == "*") return true;
  const Origin want = split(origin_text);
  Origin p = split(pattern);
  if (!p.scheme.empty() && p.scheme != "*" && p.scheme != want.scheme) return false;
  const std::string want_port = want.port.empty() ? default_port(want.scheme) : want.port;
  if (!p.port.empty() && p.port != "*") {
    if (p.port != want_port) return false;
  } else if (p.port.empty() && !p.scheme.empty() && p.scheme != "*" && default_port(p.scheme) != want_port) {
    return false;  // "https://host" means the scheme's default port
  }
  if (p.host.rfind("[*.]", 0) == 0) {
    const std::string domain = p.host.substr(4);
    return want.host == domain || (want.host.size() > domain.size() && want.host.ends_with("." + domain));
  }
  return p.host == want.host;
}

std::array<int, 4> pattern_specificity(std::string_view pattern) {
  if (pattern == "*") return {0, 0, 0, 0};
  const Origin p = split(pattern);
  int host_kind = 2, host_length = static_cast<int>(p.host.size());
  if (p.host == "*" || p.host.empty()) {
    host_kind = 0;
    host_length = 0;
  } else if (p.host.rfind("[*.]", 0) == 0) {
    host_kind = 1;
    host_length -= 4;
  }
  const bool scheme = !p.scheme.empty() && p.scheme != "*";
  const bool port = (!p.port.empty() && p.port != "*") || (p.port.empty() && scheme);
  return {host_kind, host_length, scheme ? 1 : 0, port ? 1 : 0};
}

bool url_filter_matches(std::string_view filter, std::string_view origin_text) {
  if (filter == "*") return true;
  const Origin want = split(origin_text);
  std::string_view rest = filter;
  std::string scheme;
  if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    scheme = lower(rest.substr(0, sep));
    rest.remove_prefix(sep + 3);
  }
  if (!scheme.empty() && scheme != "*" && scheme != want.scheme) return false;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view path = rest.substr(slash);
    if (path != "/" && path != "/*") return false;
    rest = rest.substr(0, slash);
  }
  const Origin p = split(rest);
  const std::string want_port = want.port.empty() ? default_port(want.scheme) : want.port;
  if (!p.port.empty() && p.port != "*" && p.port != want_port) return false;
  if (p.host == "*") return true;
  if (!p.host.empty() && p.host.front() == '.') return want.host == p.host.substr(1);
  return want.host == p.host || (want.host.size() > p.host.size() && want.host.ends_with("." + p.host));
}

}  // namespace clinic_audit::browser
