#include "websocket_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace clinic_audit::reachability {
namespace {

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace

std::string websocket_key(const std::array<std::uint8_t, 16>& nonce) { return base64(nonce.data(), nonce.size()); }

std::string websocket_accept(std::string_view key) {
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3 GUID
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64(digest, sizeof digest);
}

std::string websocket_upgrade_request(std::string_view host_header, std::string_view path, std::string_view key,
                                      std::string_view origin) {
  std::string request = "GET ";
  request += path.empty() ? "/" : path;
  request += " HTTP/1.1\r\nHost: ";
  request += host_header;
  request += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  request += key;
  request += "\r\nSec-WebSocket-Version: 13\r\n";
  if (!origin.empty()) {
    request += "Origin: ";
    request += origin;
    request += "\r\n";
  }
  request += "User-Agent: clinic-audit\r\n\r\n";
  return request;
}

UpgradeVerdict judge_upgrade_response(const HttpResponseHead& head, std::string_view key) {
  UpgradeVerdict verdict;
  verdict.http_answer = true;
  if (auto via = head.header("Via")) {
    verdict.intermediary = "Via: " + *via;
  }
  const std::string status = "HTTP " + std::to_string(head.status) + (head.reason.empty() ? "" : " " + head.reason);
  if (head.status != 101) {
    verdict.detail = "answered " + status + " instead of 101 Switching Protocols";
    if (verdict.intermediary.empty()) {
      if (auto server = head.header("Server")) verdict.detail += " (Server: " + *server + ")";
    }
    return verdict;
  }
  // §4.1, client requirements 2-4 on the server's handshake.
  if (!head.header_has_token("Upgrade", "websocket")) {
    verdict.detail = "101 without 'Upgrade: websocket'";
  } else if (!head.header_has_token("Connection", "upgrade")) {
    verdict.detail = "101 without 'Connection: Upgrade'";
  } else if (head.header("Sec-WebSocket-Accept") != websocket_accept(key)) {
    verdict.detail = "101 with a wrong Sec-WebSocket-Accept: something rewrote the handshake";
  } else {
    verdict.upgraded = true;
    verdict.detail = "101 Switching Protocols, Sec-WebSocket-Accept valid";
  }
  return verdict;
}

}  // namespace clinic_audit::reachability
