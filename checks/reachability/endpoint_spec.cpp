#include "endpoint_spec.hpp"

#include "common/text.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace clinic_audit::reachability {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::uint16_t parse_port(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw std::invalid_argument("'" + std::string(text) + "' is not a port number");
  }
  const int value = std::stoi(std::string(text));
  if (value < 1 || value > 65535) throw std::invalid_argument("port " + std::string(text) + " is out of 1-65535");
  return static_cast<std::uint16_t>(value);
}

std::vector<PortRange> parse_port_list(std::string_view text) {
  std::vector<PortRange> ranges;
  for (auto part : split(text, ',')) {
    part = trim(part);
    if (part.empty()) continue;
    std::size_t dash = part.find("...");
    std::size_t skip = 3;
    if (dash == std::string_view::npos) {
      dash = part.find('-');
      skip = 1;
    }
    PortRange range;
    if (dash == std::string_view::npos) {
      range.first = range.last = parse_port(part);
    } else {
      range.first = parse_port(part.substr(0, dash));
      range.last = parse_port(part.substr(dash + skip));
      if (range.last < range.first) throw std::invalid_argument("port range '" + std::string(part) + "' is reversed");
    }
    ranges.push_back(range);
  }
  if (ranges.empty()) throw std::invalid_argument("empty port list");
  return ranges;
}

std::string format_port_list(const std::vector<PortRange>& ports) {
  std::string out;
  for (const auto& range : ports) {
    if (!out.empty()) out += ',';
    out += std::to_string(range.first);
    if (range.last != range.first) out += "-" + std::to_string(range.last);
  }
  return out;
}

bool is_ip_literal(std::string_view text) {
  unsigned char buffer[16];
  const std::string copy(text);
  return inet_pton(AF_INET, copy.c_str(), buffer) == 1 || inet_pton(AF_INET6, copy.c_str(), buffer) == 1;
}

bool is_valid_host(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  if (is_ip_literal(text)) return true;
  return std::all_of(text.begin(), text.end(),
                     [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
                     }) &&
         text.front() != '-' && text.front() != '.';
}

std::string ServerSpec::label() const { return name.empty() ? (addresses.empty() ? "" : addresses.front()) : name; }

ServerSpec parse_server(std::string_view text) {
  ServerSpec server;
  std::string_view rest = trim(text);
  while (!rest.empty()) {
    const auto space =
        std::find_if(rest.begin(), rest.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    const std::string_view word = rest.substr(0, static_cast<std::size_t>(space - rest.begin()));
    rest = trim(rest.substr(word.size()));
    // The seed writes "(146.59.148.218 , 135.125.9.9)": tolerate its punctuation.
    std::string_view cleaned = word;
    while (!cleaned.empty() && (cleaned.front() == '(' || cleaned.front() == ',')) cleaned.remove_prefix(1);
    while (!cleaned.empty() && (cleaned.back() == ')' || cleaned.back() == ',')) cleaned.remove_suffix(1);
    if (cleaned.empty()) continue;
    if (is_ip_literal(cleaned)) {
      server.addresses.emplace_back(cleaned);
    } else if (server.name.empty() && is_valid_host(cleaned)) {
      server.name = cleaned;
    } else {
      throw std::invalid_argument("'" + std::string(cleaned) + "' in '" + std::string(text) +
                                  "' is neither the server's name nor an IP address");
    }
  }
  if (server.name.empty() && server.addresses.empty()) throw std::invalid_argument("empty server");
  return server;
}

ProxySpec parse_proxy_url(std::string_view text) {
  ProxySpec proxy;
  std::string_view rest = trim(text);
  if (rest.substr(0, 8) == "https://") {
    throw std::invalid_argument("proxy '" + std::string(text) + "': TLS to the proxy itself is not supported");
  }
  if (rest.substr(0, 7) == "http://") rest.remove_prefix(7);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  std::string display_auth;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const std::string credentials = percent_decode(userinfo);
    std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                        reinterpret_cast<const unsigned char*>(credentials.data()),
                                        static_cast<int>(credentials.size()));
    encoded.resize(static_cast<std::size_t>(written));
    proxy.authorization = "Basic " + encoded;
    display_auth = std::string(userinfo.substr(0, userinfo.find(':'))) + ":***@";
  }
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("proxy '" + std::string(text) + "': unclosed '['");
    host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw std::invalid_argument("proxy '" + std::string(text) + "': junk after ']'");
      proxy.port = parse_port(rest.substr(1));
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    proxy.port = parse_port(rest.substr(colon + 1));
  }
  if (!is_valid_host(host)) throw std::invalid_argument("proxy '" + std::string(text) + "': bad host");
  proxy.host = host;
  const bool v6 = proxy.host.find(':') != std::string::npos;
  proxy.display =
      "http://" + display_auth + (v6 ? "[" + proxy.host + "]" : proxy.host) + ":" + std::to_string(proxy.port);
  return proxy;
}

}  // namespace clinic_audit::reachability
