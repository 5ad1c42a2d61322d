// The prober against real peers: coturn (STUN over UDP, TCP, TLS), TLS
// servers with a test CA, closed and dropped ports. Only loopback and the
// namespace this test creates are ever addressed.
#include <gtest/gtest.h>

#include <chrono>

#include "probe.hpp"
#include "test_network.hpp"
#include "test_servers.hpp"

namespace clinic_audit::reachability {
namespace {

using namespace std::chrono_literals;
using testing::closed_port;
using testing::Coturn;
using testing::DroppingNamespace;
using testing::ServerMode;
using testing::TestPki;
using testing::TestServer;

std::filesystem::path temp_dir(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("careach-" + name + "-" + std::to_string(::getpid()));
}

class ProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(temp_dir("pki")); }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(temp_dir("pki"));
  }
  ProbeOptions options(std::chrono::milliseconds timeout = 1500ms) const {
    ProbeOptions o;
    o.timeout = timeout;
    o.ca_path = pki_->ca_file.string();
    return o;
  }
  static TestPki* pki_;
};
TestPki* ProbeTest::pki_ = nullptr;

ProbeTarget target(Transport transport, const std::string& address, std::uint16_t port, std::string host = "") {
  return ProbeTarget{transport, host.empty() ? address : host, address, port, "/", "", false};
}

TEST_F(ProbeTest, StunOverUdpTcpAndTlsAgainstCoturn) {
  Coturn coturn(temp_dir("coturn"), pki_->good);
  if (!coturn.available()) GTEST_SKIP() << coturn.why();
  const auto results = run_probes({target(Transport::stun_udp, "127.0.0.1", coturn.port()),
                                   target(Transport::stun_tcp, "127.0.0.1", coturn.port()),
                                   target(Transport::stun_tls, "127.0.0.1", coturn.tls_port(), "localhost")},
                                  options());
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) {
    EXPECT_EQ(result.state, ReachState::answered) << result.target.label() << ": " << result.detail;
    ASSERT_TRUE(result.stun) << result.target.label();
    EXPECT_EQ(result.stun->kind, StunResponse::Kind::success);
    ASSERT_TRUE(result.stun->mapped);
    // coturn sees us on loopback: the reflexive address is ours.
    EXPECT_EQ(result.stun->mapped->address, "127.0.0.1");
    EXPECT_TRUE(result.stun->mapped_was_xored);
  }
  ASSERT_TRUE(results[2].certificate);
  EXPECT_TRUE(results[2].certificate->chain_trusted()) << results[2].certificate->verify_message;
}

TEST_F(ProbeTest, ClosedUdpPortIsIcmpRefusedNotOpen) {
  const auto results = run_probes({target(Transport::stun_udp, "127.0.0.1", closed_port())}, options());
  EXPECT_EQ(results[0].state, ReachState::refused);
  EXPECT_NE(results[0].detail.find("ICMP port unreachable"), std::string::npos) << results[0].detail;
  EXPECT_LT(results[0].elapsed, 1500ms);  // the ICMP answer is immediate, far under the timeout
}

TEST_F(ProbeTest, SilentUdpIsTimeoutUnverified) {
  testing::SilentUdp silent;
  const auto results = run_probes({target(Transport::stun_udp, "127.0.0.1", silent.port())}, options(800ms));
  EXPECT_EQ(results[0].state, ReachState::timeout);
  EXPECT_NE(results[0].detail.find("unverified"), std::string::npos) << results[0].detail;
  EXPECT_GE(results[0].elapsed, 700ms);
  EXPECT_LT(results[0].elapsed, 2500ms);
}

TEST_F(ProbeTest, ClosedTcpPortIsRefused) {
  const auto results =
      run_probes({target(Transport::tcp, "127.0.0.1", closed_port()), target(Transport::tls, "::1", closed_port())},
                 options());
  EXPECT_EQ(results[0].state, ReachState::refused) << results[0].detail;
  EXPECT_EQ(results[1].state, ReachState::refused) << results[1].detail;
}

TEST_F(ProbeTest, DroppedAddressTimesOutForTcpAndUdp) {
  DroppingNamespace ns;
  if (!ns.available()) GTEST_SKIP() << ns.why();
  const auto start = std::chrono::steady_clock::now();
  const auto results = run_probes({target(Transport::tcp, ns.dropped_address(), 443),
                                   target(Transport::stun_udp, ns.dropped_address(), 443),
                                   target(Transport::stun_tls, ns.dropped_address(), 443)},
                                  options(1000ms));
  const auto wall = std::chrono::steady_clock::now() - start;
  for (const auto& result : results) {
    EXPECT_EQ(result.state, ReachState::timeout) << result.target.label() << ": " << result.detail;
  }
  EXPECT_EQ(results[0].stage, "connect");
  // Concurrent: three timeouts cost one (sequential would be 3 s).
  EXPECT_LT(wall, 2500ms);
}

TEST_F(ProbeTest, TlsReportsCertificateDetails) {
  TestServer good(ServerMode::tls, pki_->good);
  TestServer weak(ServerMode::tls, pki_->weak);
  TestServer sha1(ServerMode::tls, pki_->sha1);
  TestServer rogue(ServerMode::tls, pki_->rogue);
  const auto results = run_probes({target(Transport::tls, "127.0.0.1", good.port(), "localhost"),
                                   target(Transport::tls, "127.0.0.1", weak.port(), "localhost"),
                                   target(Transport::tls, "127.0.0.1", sha1.port(), "localhost"),
                                   target(Transport::tls, "127.0.0.1", rogue.port(), "localhost")},
                                  options());
  for (const auto& result : results) {
    ASSERT_EQ(result.state, ReachState::answered) << result.detail;
    ASSERT_TRUE(result.certificate);
  }
  const CertInfo& g = *results[0].certificate;
  EXPECT_TRUE(g.chain_trusted()) << g.verify_message;
  EXPECT_EQ(g.key_type, "RSA");
  EXPECT_EQ(g.key_bits, 2048);
  EXPECT_EQ(g.signature_hash, "SHA256");
  EXPECT_GE(g.days_left, 1);
  EXPECT_TRUE(judge_annex2(g).ok);
  EXPECT_EQ(results[1].certificate->key_bits, 1024);
  EXPECT_FALSE(judge_annex2(*results[1].certificate).ok);
  EXPECT_EQ(results[2].certificate->signature_hash, "SHA1");
  EXPECT_FALSE(judge_annex2(*results[2].certificate).ok);
  EXPECT_FALSE(results[3].certificate->chain_trusted());
  EXPECT_TRUE(results[3].certificate->untrusted_issuer());
  EXPECT_NE(results[3].certificate->issuer.find("Inspecting Proxy CA"), std::string::npos);
}

TEST_F(ProbeTest, HostnameMismatchIsNotTrusted) {
  TestServer good(ServerMode::tls, pki_->good);
  const auto results = run_probes({target(Transport::tls, "127.0.0.1", good.port(), "other.invalid")}, options());
  ASSERT_TRUE(results[0].certificate);
  EXPECT_FALSE(results[0].certificate->chain_trusted());
  EXPECT_FALSE(results[0].certificate->untrusted_issuer());
}

TEST_F(ProbeTest, WebSocketUpgradeAndRefusal) {
  TestServer upgrading(ServerMode::websocket, pki_->good);
  TestServer plain(ServerMode::no_upgrade, pki_->good);
  const auto results = run_probes({target(Transport::wss, "127.0.0.1", upgrading.port(), "localhost"),
                                   target(Transport::wss, "127.0.0.1", plain.port(), "localhost")},
                                  options());
  ASSERT_TRUE(results[0].upgrade) << results[0].detail;
  EXPECT_TRUE(results[0].upgrade->upgraded) << results[0].upgrade->detail;
  ASSERT_TRUE(results[1].upgrade) << results[1].detail;
  EXPECT_TRUE(results[1].upgrade->http_answer);
  EXPECT_FALSE(results[1].upgrade->upgraded);
  EXPECT_EQ(results[1].upgrade->intermediary, "Via: 1.1 stripping-proxy");
}

TEST_F(ProbeTest, ConnectProxyCarriesTls) {
  TestServer upgrading(ServerMode::websocket, pki_->good);
  TestServer proxy(ServerMode::connect_proxy);
  TestServer auth(ServerMode::proxy_auth);
  ProbeOptions o = options();
  o.proxy = ProxyEndpoint{parse_proxy_url("http://127.0.0.1:" + std::to_string(proxy.port())), "127.0.0.1"};
  ProbeTarget via{Transport::wss, "localhost", "", upgrading.port(), "/", "", true};
  auto results = run_probes({via}, o);
  ASSERT_TRUE(results[0].upgrade) << results[0].detail;
  EXPECT_TRUE(results[0].upgrade->upgraded);
  EXPECT_EQ(results[0].proxy_status, 200);
  EXPECT_EQ(proxy.connect_requests(), std::vector<std::string>{"localhost:" + std::to_string(upgrading.port())});

  o.proxy = ProxyEndpoint{parse_proxy_url("127.0.0.1:" + std::to_string(auth.port())), "127.0.0.1"};
  results = run_probes({via}, o);
  EXPECT_EQ(results[0].state, ReachState::failed);
  EXPECT_EQ(results[0].proxy_status, 407);
  EXPECT_NE(results[0].detail.find("authentication"), std::string::npos) << results[0].detail;
}

TEST_F(ProbeTest, ConcurrencyBoundIsHonoured) {
  DroppingNamespace ns;
  if (!ns.available()) GTEST_SKIP() << ns.why();
  std::vector<ProbeTarget> targets(4, target(Transport::tcp, ns.dropped_address(), 443));
  ProbeOptions o = options(500ms);
  o.max_concurrency = 2;  // two waves of two timeouts
  const auto start = std::chrono::steady_clock::now();
  const auto results = run_probes(targets, o);
  const auto wall = std::chrono::steady_clock::now() - start;
  EXPECT_GE(wall, 950ms);  // two waves: the bound held (unbounded would be one 500 ms wave)
  EXPECT_LT(wall, 2500ms);
  for (const auto& result : results) EXPECT_EQ(result.state, ReachState::timeout);
}

TEST(Resolver, LiteralsAndLocalhost) {
  // Only literals and /etc/hosts names: no test may send a DNS query.
  const auto answers = resolve_all({"::1", "127.0.0.1", "localhost"}, 3000ms, 4);
  EXPECT_EQ(answers[0].ipv6, std::vector<std::string>{"::1"});
  EXPECT_EQ(answers[1].ipv4, std::vector<std::string>{"127.0.0.1"});
  ASSERT_TRUE(answers[2].ok()) << answers[2].error;
  EXPECT_NE(std::find(answers[2].ipv4.begin(), answers[2].ipv4.end(), "127.0.0.1"), answers[2].ipv4.end());
}

}  // namespace
}  // namespace clinic_audit::reachability
