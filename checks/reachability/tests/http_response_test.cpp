// HTTP response heads (RFC 9112) and the WebSocket handshake (RFC 6455).
#include <gtest/gtest.h>

#include "http_response.hpp"
#include "websocket_handshake.hpp"

namespace clinic_audit::reachability {
namespace {

TEST(HttpResponse, FindsEndOfHead) {
  EXPECT_FALSE(find_head_end("HTTP/1.1 200 OK\r\nA: b\r\n"));
  EXPECT_EQ(find_head_end("HTTP/1.1 200 OK\r\n\r\nbody"), 19u);
  EXPECT_EQ(find_head_end("HTTP/1.0 200 OK\n\n"), 17u);
}

TEST(HttpResponse, ParsesStatusAndHeaders) {
  std::string error;
  const auto head = parse_response_head("HTTP/1.1 407 Proxy Authentication Required\r\nVia: 1.1 squid\r\n"
                                        "Connection: keep-alive, Upgrade\r\n\r\n",
                                        &error);
  ASSERT_TRUE(head) << error;
  EXPECT_EQ(head->status, 407);
  EXPECT_EQ(head->reason, "Proxy Authentication Required");
  EXPECT_EQ(head->header("via"), "1.1 squid");
  EXPECT_TRUE(head->header_has_token("connection", "upgrade"));
  EXPECT_FALSE(head->header_has_token("connection", "close"));
}

TEST(HttpResponse, RejectsNonHttp) {
  std::string error;
  EXPECT_FALSE(parse_response_head("\x15\x03\x01\x00\x02\x02\x28", &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(parse_response_head("HTTP/2 200\r\n\r\n", &error));
  EXPECT_FALSE(parse_response_head("HTTP/1.1 20 OK\r\n\r\n", &error));
  EXPECT_FALSE(parse_response_head("HTTP/1.1 200 OK\r\nbad header\r\n\r\n", &error));
}

// RFC 6455 §1.3's example key and accept value.
TEST(WebSocket, AcceptMatchesRfc6455Example) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  std::array<std::uint8_t, 16> nonce{};
  EXPECT_EQ(websocket_key(nonce).size(), 24u);
}

TEST(WebSocket, RequestCarriesUpgradeHeaders) {
  const auto request = websocket_upgrade_request("ccs.example:8443", "/ws", "KEY", "https://x.example");
  EXPECT_EQ(request.rfind("GET /ws HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(request.find("Upgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(request.find("Sec-WebSocket-Key: KEY\r\n"), std::string::npos);
  EXPECT_NE(request.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_NE(request.find("Origin: https://x.example\r\n"), std::string::npos);
}

TEST(WebSocket, JudgesUpgradeAnswers) {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  auto good = parse_response_head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  ASSERT_TRUE(good);
  EXPECT_TRUE(judge_upgrade_response(*good, key).upgraded);
  auto wrong = parse_response_head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Accept: AAAA\r\n\r\n");
  EXPECT_FALSE(judge_upgrade_response(*wrong, key).upgraded);
  auto stripped = parse_response_head("HTTP/1.1 200 OK\r\nVia: 1.1 fortigate\r\n\r\n");
  const auto verdict = judge_upgrade_response(*stripped, key);
  EXPECT_TRUE(verdict.http_answer);
  EXPECT_FALSE(verdict.upgraded);
  EXPECT_EQ(verdict.intermediary, "Via: 1.1 fortigate");
}

}  // namespace
}  // namespace clinic_audit::reachability
