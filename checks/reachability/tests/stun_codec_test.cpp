// RFC 5389 codec: the request layout, framing, and decoding of answers,
// including the RFC 5769 §2.2/§2.3 test vectors' XOR-MAPPED-ADDRESS values.
#include <gtest/gtest.h>

#include "stun_codec.hpp"

namespace clinic_audit::reachability {
namespace {

const TransactionId kId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

std::vector<std::uint8_t> header(std::uint16_t type, std::uint16_t length, const TransactionId& id = kId) {
  std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(type >> 8),
                                   static_cast<std::uint8_t>(type),
                                   static_cast<std::uint8_t>(length >> 8),
                                   static_cast<std::uint8_t>(length),
                                   0x21,
                                   0x12,
                                   0xa4,
                                   0x42};
  out.insert(out.end(), id.begin(), id.end());
  return out;
}

void append(std::vector<std::uint8_t>& out, std::initializer_list<std::uint8_t> bytes) { out.insert(out.end(), bytes); }

TEST(StunCodec, BindingRequestIsTwentyBytesWithCookieAndId) {
  const auto request = encode_binding_request(kId);
  ASSERT_EQ(request.size(), 20u);
  EXPECT_EQ(request[0], 0x00);
  EXPECT_EQ(request[1], 0x01);
  EXPECT_EQ(request[2], 0x00);
  EXPECT_EQ(request[3], 0x00);
  EXPECT_EQ(request[4], 0x21);
  EXPECT_EQ(request[7], 0x42);
  EXPECT_TRUE(std::equal(kId.begin(), kId.end(), request.begin() + 8));
}

// RFC 5769 §2.2: IPv4 response, XOR-MAPPED-ADDRESS 192.0.2.1:32853.
TEST(StunCodec, DecodesXorMappedIpv4FromRfc5769) {
  auto message = header(0x0101, 12);
  append(message, {0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43});
  const auto decoded = decode_stun_response(message, kId);
  ASSERT_TRUE(decoded.response) << to_string(*decoded.error);
  ASSERT_TRUE(decoded.response->mapped);
  EXPECT_TRUE(decoded.response->mapped_was_xored);
  EXPECT_EQ(decoded.response->mapped->address, "192.0.2.1");
  EXPECT_EQ(decoded.response->mapped->port, 32853);
  EXPECT_EQ(decoded.response->mapped->family, 4);
}

// RFC 5769 §2.3: IPv6 response, 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
TEST(StunCodec, DecodesXorMappedIpv6FromRfc5769) {
  auto message = header(0x0101, 24);
  append(message, {0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
                   0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9});
  const auto decoded = decode_stun_response(message, kId);
  ASSERT_TRUE(decoded.response);
  ASSERT_TRUE(decoded.response->mapped);
  EXPECT_EQ(decoded.response->mapped->address, "2001:db8:1234:5678:11:2233:4455:6677");
  EXPECT_EQ(decoded.response->mapped->port, 32853);
}

TEST(StunCodec, LegacyMappedAddressAndSoftwareAreRead) {
  auto message = header(0x0101, 20);
  append(message, {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x13, 0x88, 10, 0, 0, 7});
  append(message, {0x80, 0x22, 0x00, 0x03, 'a', 'b', 'c', 0x00});
  const auto decoded = decode_stun_response(message, kId);
  ASSERT_TRUE(decoded.response);
  EXPECT_FALSE(decoded.response->mapped_was_xored);
  EXPECT_EQ(decoded.response->mapped->address, "10.0.0.7");
  EXPECT_EQ(decoded.response->mapped->port, 5000);
  EXPECT_EQ(decoded.response->software, "abc");
}

TEST(StunCodec, ErrorResponseCarriesCode) {
  auto message = header(0x0111, 12);
  append(message, {0x00, 0x09, 0x00, 0x07, 0x00, 0x00, 0x04, 0x01, 'B', 'a', 'd', 0x00});
  const auto decoded = decode_stun_response(message, kId);
  ASSERT_TRUE(decoded.response);
  EXPECT_EQ(decoded.response->kind, StunResponse::Kind::error);
  EXPECT_EQ(decoded.response->error_code, 401);
  EXPECT_EQ(decoded.response->error_reason, "Bad");
}

TEST(StunCodec, RejectsAnotherTransaction) {
  TransactionId other = kId;
  other[11] ^= 1;
  const auto decoded = decode_stun_response(header(0x0101, 0, other), kId);
  EXPECT_FALSE(decoded.response);
  EXPECT_EQ(decoded.error, StunDecodeError::wrong_transaction);
}

TEST(StunCodec, RejectsRequestsBadCookieAndTruncation) {
  EXPECT_EQ(decode_stun_response(header(0x0001, 0), kId).error, StunDecodeError::not_stun);
  auto bad_cookie = header(0x0101, 0);
  bad_cookie[4] = 0;
  EXPECT_EQ(decode_stun_response(bad_cookie, kId).error, StunDecodeError::not_stun);
  auto truncated = header(0x0101, 12);
  append(truncated, {0x00, 0x20, 0x00, 0x08});
  EXPECT_EQ(decode_stun_response(truncated, kId).error, StunDecodeError::not_stun);
  auto overrun = header(0x0101, 8);
  append(overrun, {0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00});
  EXPECT_EQ(decode_stun_response(overrun, kId).error, StunDecodeError::malformed_attribute);
  EXPECT_EQ(decode_stun_response(header(0x0102, 0), kId).error, StunDecodeError::not_binding);
}

TEST(StunCodec, FramesMessagesOnStreams) {
  EXPECT_FALSE(stun_message_length(std::vector<std::uint8_t>(19, 0)));
  EXPECT_EQ(stun_message_length(header(0x0101, 12)), 32u);
  const std::string http = "HTTP/1.1 400 Bad Request\r\n";
  EXPECT_FALSE(stun_message_length(std::span(reinterpret_cast<const std::uint8_t*>(http.data()), http.size())));
}

}  // namespace
}  // namespace clinic_audit::reachability
