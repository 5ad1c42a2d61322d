// libFuzzer target: the HTTP response-head parser and the WebSocket upgrade
// judgement, which read what a proxy or a server answers (RFC 9112, RFC 6455).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http_response.hpp"
#include "websocket_handshake.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  using namespace clinic_audit::reachability;
  const auto end = find_head_end(bytes);
  if (end && *end > bytes.size()) __builtin_trap();
  std::string error;
  const auto head = parse_response_head(end ? bytes.substr(0, *end) : bytes, &error);
  if (!head) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  if (head->status < 100 || head->status > 999) __builtin_trap();
  (void)head->header("Via");
  (void)head->header_has_token("Connection", "upgrade");
  const auto verdict = judge_upgrade_response(*head, "dGhlIHNhbXBsZSBub25jZQ==");
  if (verdict.upgraded && head->status != 101) __builtin_trap();
  return 0;
}
