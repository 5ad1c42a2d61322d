// The client side of the WebSocket opening handshake (RFC 6455 §4.1-4.2):
// the upgrade request and the judgement of the server's answer. No I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "http_response.hpp"

namespace clinic_audit::reachability {

// §4.1: Sec-WebSocket-Key is 16 random bytes, base64-encoded.
std::string websocket_key(const std::array<std::uint8_t, 16>& nonce);
// §4.2.2: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string websocket_accept(std::string_view key);

std::string websocket_upgrade_request(std::string_view host_header, std::string_view path, std::string_view key,
                                      std::string_view origin);

struct UpgradeVerdict {
  bool http_answer = false;  // any HTTP/1.x answer: the path to the server works
  bool upgraded = false;     // 101 with the right Upgrade/Connection/Accept (§4.1 client rules)
  std::string detail;        // why not upgraded, or what answered
  std::string intermediary;  // Via or Server naming a proxy, when the answer carries one
};

UpgradeVerdict judge_upgrade_response(const HttpResponseHead& head, std::string_view key);

}  // namespace clinic_audit::reachability
