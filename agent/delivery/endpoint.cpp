#include "endpoint.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace clinic_audit::delivery {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void check_port(const std::string& port) {
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535) {
    throw std::invalid_argument("bad port \"" + port + "\"");
  }
}

// HOST[:PORT] or [IPV6][:PORT].
void split_authority(std::string_view authority, std::string& host, std::string& port) {
  if (authority.empty()) throw std::invalid_argument("no host");
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("unclosed '[' in the host");
    host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw std::invalid_argument("unexpected text after the IPv6 address");
      port = std::string(rest.substr(1));
    }
  } else {
    const auto colon = authority.rfind(':');
    host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = std::string(authority.substr(colon + 1));
  }
  if (host.empty()) throw std::invalid_argument("no host");
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != ':' && c != '_') {
      throw std::invalid_argument("bad character in the host name");
    }
  }
  check_port(port);
}

std::string base64(std::string_view bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  const int n =
      EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool no_proxy_matches(std::string_view list, std::string_view host) {
  const std::string target = lower(host);
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    std::string entry =
        lower(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    entry.erase(std::remove_if(entry.begin(), entry.end(), [](char c) { return c == ' ' || c == '\t'; }), entry.end());
    if (entry == "*") return true;
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    if (!entry.empty() && (target == entry || (target.size() > entry.size() && target.ends_with("." + entry)))) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

CollectorUrl parse_collector_url(std::string_view url) {
  CollectorUrl out;
  out.text = std::string(url);
  constexpr std::string_view kScheme = "https://";
  if (lower(url.substr(0, kScheme.size())) != kScheme) {
    throw std::invalid_argument("the collector URL must start with https:// (reports travel over TLS only)");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) throw std::invalid_argument("no query or fragment allowed");
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) throw std::invalid_argument("no user name or password in the URL");
  split_authority(authority, out.host, out.port);
  if (slash != std::string_view::npos) {
    out.base_path = std::string(rest.substr(slash));
    while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
    for (char c : out.base_path) {
      if (static_cast<unsigned char>(c) <= ' ' || c == '\\' || c == '"')
        throw std::invalid_argument("bad character in the path");
    }
  }
  return out;
}

ProxyUrl parse_proxy_url(std::string_view url) {
  ProxyUrl out;
  constexpr std::string_view kScheme = "http://";
  std::string_view rest = url;
  if (lower(url.substr(0, kScheme.size())) == kScheme) {
    rest = url.substr(kScheme.size());
  } else if (url.find("://") != std::string_view::npos) {
    throw std::invalid_argument("only http:// proxies are supported (CONNECT over plain HTTP)");
  }
  rest = rest.substr(0, rest.find('/'));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    out.authorization = "Basic " + base64(percent_decode(rest.substr(0, at)));
    rest = rest.substr(at + 1);
  }
  split_authority(rest, out.host, out.port);
  out.text = "http://" + (out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host) + ":" + out.port;
  return out;
}

std::optional<ProxyUrl> choose_proxy(const std::optional<std::string>& configured, std::string_view target_host) {
  std::optional<std::string> chosen = configured;
  if (!chosen) {
    for (const char* name : {"https_proxy", "HTTPS_PROXY"}) {
      if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
        chosen = value;
        break;
      }
    }
  }
  if (!chosen) return std::nullopt;
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    if (const char* value = std::getenv(name); value != nullptr && no_proxy_matches(value, target_host)) {
      return std::nullopt;
    }
  }
  return parse_proxy_url(*chosen);
}

}  // namespace clinic_audit::delivery
