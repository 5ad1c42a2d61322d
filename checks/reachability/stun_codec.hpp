// STUN Binding (RFC 5389) encoding and decoding: bytes in, typed values out,
// no I/O. The prober sends what `encode_binding_request` returns and hands
// every datagram (UDP) or framed message (TCP/TLS) to `decode_stun_response`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace clinic_audit::reachability {

// RFC 5389 §6: fixed cookie that distinguishes STUN from other traffic on the
// same port and keys the XOR of XOR-MAPPED-ADDRESS.
inline constexpr std::uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr std::size_t kStunHeaderSize = 20;
using TransactionId = std::array<std::uint8_t, 12>;

// A 20-byte Binding Request with no attributes (RFC 5389 §7.1: a client may
// send one without credentials; servers answer with the reflexive address).
std::vector<std::uint8_t> encode_binding_request(const TransactionId& id);

// Total length of the STUN message whose header starts `bytes` (header +
// attributes), or nullopt when fewer than 20 bytes are there or the header is
// not STUN (top two bits set, length not a multiple of 4, bad cookie).
// Over TCP/TLS this frames messages (RFC 5389 §7.2.2).
std::optional<std::size_t> stun_message_length(std::span<const std::uint8_t> bytes);

struct StunAddress {
  int family = 0;       // 4 or 6
  std::string address;  // textual, e.g. "203.0.113.7" or "2001:db8::1"
  std::uint16_t port = 0;
  bool operator==(const StunAddress&) const = default;
};

struct StunResponse {
  enum class Kind { success, error } kind = Kind::success;
  // XOR-MAPPED-ADDRESS (RFC 5389 §15.2), else the legacy MAPPED-ADDRESS
  // (§15.1) that RFC 3489 servers send: our public address as seen outside.
  std::optional<StunAddress> mapped;
  bool mapped_was_xored = false;
  int error_code = 0;  // ERROR-CODE (§15.6), for error responses
  std::string error_reason;
  std::optional<std::string> software;  // SOFTWARE (§15.10), names the server
};

enum class StunDecodeError {
  not_stun,             // too short, bad cookie, bad length, not a response
  wrong_transaction,    // a response, but to someone else's request (§7.3)
  not_binding,          // a response to another method
  malformed_attribute,  // attribute runs past the end or has a bad size
};

struct StunDecodeResult {
  std::optional<StunResponse> response;
  std::optional<StunDecodeError> error;
};

// Decodes one whole STUN message and checks it answers the Binding Request
// with transaction id `expected`. Unknown attributes are skipped (§7.3).
StunDecodeResult decode_stun_response(std::span<const std::uint8_t> bytes, const TransactionId& expected);

std::string to_string(StunDecodeError error);

}  // namespace clinic_audit::reachability
