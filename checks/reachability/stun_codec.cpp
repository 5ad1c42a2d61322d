#include "stun_codec.hpp"

#include <arpa/inet.h>

namespace clinic_audit::reachability {
namespace {

// RFC 5389 §6 and §18: Binding method, its classes, and the attributes we read.
constexpr std::uint16_t kBindingRequest = 0x0001;
constexpr std::uint16_t kBindingSuccess = 0x0101;
constexpr std::uint16_t kBindingError = 0x0111;
constexpr std::uint16_t kAttrMappedAddress = 0x0001;
constexpr std::uint16_t kAttrErrorCode = 0x0009;
constexpr std::uint16_t kAttrXorMappedAddress = 0x0020;
constexpr std::uint16_t kAttrSoftware = 0x8022;

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

// MAPPED-ADDRESS and XOR-MAPPED-ADDRESS share a layout (§15.1, §15.2):
// reserved byte, family (1 = IPv4, 2 = IPv6), port, address. The XOR form
// XORs the port with the cookie's top 16 bits and the address with the
// cookie followed by the transaction id.
std::optional<StunAddress> decode_address(std::span<const std::uint8_t> value, bool xored,
                                          std::span<const std::uint8_t> header) {
  if (value.size() < 4) return std::nullopt;
  const std::uint8_t family = value[1];
  const std::size_t length = family == 1 ? 4 : family == 2 ? 16 : 0;
  if (length == 0 || value.size() != 4 + length) return std::nullopt;
  std::uint16_t port = read16(value, 2);
  std::array<std::uint8_t, 16> address{};
  for (std::size_t i = 0; i < length; ++i) {
    // header[4..20) is the cookie then the transaction id, exactly the XOR key.
    address[i] = static_cast<std::uint8_t>(value[4 + i] ^ (xored ? header[4 + i] : 0));
  }
  if (xored) port = static_cast<std::uint16_t>(port ^ (kStunMagicCookie >> 16));
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family == 1 ? AF_INET : AF_INET6, address.data(), text, sizeof text) == nullptr) {
    return std::nullopt;
  }
  return StunAddress{family == 1 ? 4 : 6, text, port};
}

}  // namespace

std::vector<std::uint8_t> encode_binding_request(const TransactionId& id) {
  std::vector<std::uint8_t> out;
  out.reserve(kStunHeaderSize);
  put16(out, kBindingRequest);
  put16(out, 0);  // no attributes
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>((kStunMagicCookie >> shift) & 0xFF));
  }
  out.insert(out.end(), id.begin(), id.end());
  return out;
}

std::optional<std::size_t> stun_message_length(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kStunHeaderSize) return std::nullopt;
  // §6: the two most significant bits are zero, the length counts the
  // attributes only and is a multiple of 4 (attributes are 32-bit aligned).
  if ((bytes[0] & 0xC0) != 0) return std::nullopt;
  if (read32(bytes, 4) != kStunMagicCookie) return std::nullopt;
  const std::uint16_t length = read16(bytes, 2);
  if (length % 4 != 0) return std::nullopt;
  return kStunHeaderSize + length;
}

StunDecodeResult decode_stun_response(std::span<const std::uint8_t> bytes, const TransactionId& expected) {
  const auto total = stun_message_length(bytes);
  if (!total || *total != bytes.size()) return {std::nullopt, StunDecodeError::not_stun};
  const std::uint16_t type = read16(bytes, 0);
  // Class bits are 0x0110 of the type (§6): 0x0100 success, 0x0110 error.
  const bool is_response = (type & 0x0100) != 0;
  if (!is_response) return {std::nullopt, StunDecodeError::not_stun};
  // §7.3.3: a response whose transaction id matches no outstanding request
  // is discarded: it could be a stray or spoofed packet.
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (bytes[8 + i] != expected[i]) return {std::nullopt, StunDecodeError::wrong_transaction};
  }
  if (type != kBindingSuccess && type != kBindingError) return {std::nullopt, StunDecodeError::not_binding};

  StunResponse response;
  response.kind = type == kBindingSuccess ? StunResponse::Kind::success : StunResponse::Kind::error;
  const auto header = bytes.first(kStunHeaderSize);
  std::size_t at = kStunHeaderSize;
  std::optional<StunAddress> plain;
  while (at < bytes.size()) {
    if (bytes.size() - at < 4) return {std::nullopt, StunDecodeError::malformed_attribute};
    const std::uint16_t attr = read16(bytes, at);
    const std::size_t length = read16(bytes, at + 2);
    const std::size_t padded = (length + 3) / 4 * 4;  // §15: values padded to 4 bytes
    if (bytes.size() - at - 4 < padded) return {std::nullopt, StunDecodeError::malformed_attribute};
    const auto value = bytes.subspan(at + 4, length);
    switch (attr) {
      case kAttrXorMappedAddress:
        if (auto address = decode_address(value, true, header)) {
          response.mapped = address;
          response.mapped_was_xored = true;
        } else {
          return {std::nullopt, StunDecodeError::malformed_attribute};
        }
        break;
      case kAttrMappedAddress:
        plain = decode_address(value, false, header);
        if (!plain) return {std::nullopt, StunDecodeError::malformed_attribute};
        break;
      case kAttrErrorCode:
        // §15.6: 2 reserved bytes, class (hundreds), number, UTF-8 reason.
        if (length < 4) return {std::nullopt, StunDecodeError::malformed_attribute};
        response.error_code = (value[2] & 0x07) * 100 + value[3];
        response.error_reason.assign(value.begin() + 4, value.end());
        break;
      case kAttrSoftware: response.software = std::string(value.begin(), value.end()); break;
      default: break;  // §7.3: unknown comprehension-optional attributes are ignored
    }
    at += 4 + padded;
  }
  if (!response.mapped && plain) response.mapped = plain;
  return {response, std::nullopt};
}

std::string to_string(StunDecodeError error) {
  switch (error) {
    case StunDecodeError::not_stun: return "not a STUN response";
    case StunDecodeError::wrong_transaction: return "STUN response to another transaction";
    case StunDecodeError::not_binding: return "STUN response to another method than Binding";
    case StunDecodeError::malformed_attribute: return "malformed STUN attribute";
  }
  return "unknown STUN decoding error";
}

}  // namespace clinic_audit::reachability
