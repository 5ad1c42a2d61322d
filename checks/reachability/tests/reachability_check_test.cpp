// The `reachability` check end to end against real local peers: statuses,
// summaries in the seed's terms, the firewall rules it asks for. Endpoints
// are loopback or the namespace the test creates, never the seed's.
#include <gtest/gtest.h>

#include <chrono>

#include "check_test_support.hpp"
#include "reachability_check.hpp"
#include "test_network.hpp"
#include "test_servers.hpp"

namespace clinic_audit::reachability {
namespace {

using namespace std::chrono_literals;
using namespace testing;

std::filesystem::path temp_dir(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("careach-check-" + name + "-" + std::to_string(::getpid()));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class ReachabilityCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(temp_dir("pki")); }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(temp_dir("pki"));
  }
  static ParamList tls(const std::string& probe, std::uint16_t port, const std::string& host = "localhost") {
    return {{"probe", probe},
            {"host", host},
            {"port", std::to_string(port)},
            {"ca_file", pki_->ca_file.string()},
            {"timeout_ms", "1500"}};
  }
  static TestPki* pki_;
};
TestPki* ReachabilityCheckTest::pki_ = nullptr;

TEST_F(ReachabilityCheckTest, HttpsWithTrustedAnnex2CertificatePasses) {
  TestServer server(ServerMode::tls, pki_->good);
  const Outcome outcome = run_check(tls("https", server.port()));
  EXPECT_EQ(outcome.status, Status::pass) << all_text(outcome);
  EXPECT_TRUE(contains(outcome.summary, "RSA 2048, SHA256")) << outcome.summary;
  EXPECT_TRUE(contains(all_text(outcome), "DNS localhost: IPv4 [127.0.0.1]")) << all_text(outcome);
}

TEST_F(ReachabilityCheckTest, WeakKeyFailsAnnex2) {
  TestServer server(ServerMode::tls, pki_->weak);
  const Outcome outcome = run_check(tls("https", server.port()));
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "annex 2")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "RSA key of 1024 bits")) << outcome.summary;
}

TEST_F(ReachabilityCheckTest, Sha1SignatureFailsAnnex2) {
  TestServer server(ServerMode::tls, pki_->sha1);
  const Outcome outcome = run_check(tls("https", server.port()));
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "signed with SHA1")) << outcome.summary;
}

TEST_F(ReachabilityCheckTest, UntrustedIssuerIsNamedAsTlsInspection) {
  TestServer server(ServerMode::tls, pki_->rogue);
  const Outcome outcome = run_check(tls("https", server.port()));
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "TLS inspection by a proxy")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "CN=Inspecting Proxy CA")) << outcome.summary;
}

// Issue #21 item 8: what the chain shows decides the words. A self-signed
// leaf is the server's own certificate, not inspection; a chain up to an
// untrusted root the server sends could be either, and the result says so.
TEST_F(ReachabilityCheckTest, SelfSignedServerIsNotCalledInspection) {
  TestServer server(ServerMode::tls, pki_->self_signed);
  const Outcome outcome = run_check(tls("https", server.port()));
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "the server's own self-signed certificate")) << outcome.summary;
  EXPECT_FALSE(contains(outcome.summary, "TLS inspection by a proxy")) << outcome.summary;

  TestServer private_root(ServerMode::tls, pki_->private_chain);
  const Outcome either = run_check(tls("https", private_root.port()));
  EXPECT_EQ(either.status, Status::fail);
  EXPECT_TRUE(contains(either.summary, "or a private CA")) << either.summary;
  EXPECT_TRUE(contains(either.summary, "CN=Clinic Private Root")) << either.summary;
  EXPECT_TRUE(contains(either.summary, "cannot tell them apart")) << either.summary;
}

TEST_F(ReachabilityCheckTest, SystemStoreDoesNotTrustTheTestCa) {
  TestServer server(ServerMode::tls, pki_->good);
  ParamList params = tls("https", server.port());
  params.erase(params.begin() + 3);  // no ca_file: the system store
  const Outcome outcome = run_check(params);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "CN=clinic-audit Test CA")) << outcome.summary;
}

TEST_F(ReachabilityCheckTest, WebSocketUpgradePasses) {
  TestServer server(ServerMode::websocket, pki_->good);
  ParamList params = tls("wss", server.port());
  params.emplace_back("path", "/socket");
  const Outcome outcome = run_check(params);
  EXPECT_EQ(outcome.status, Status::pass) << all_text(outcome);
  EXPECT_TRUE(contains(all_text(outcome), "101 Switching Protocols")) << all_text(outcome);
}

TEST_F(ReachabilityCheckTest, AnswerWithoutUpgradeFailsAndNamesTheIntermediary) {
  TestServer server(ServerMode::no_upgrade, pki_->good);
  const Outcome outcome = run_check(tls("wss", server.port()));
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "the path is open (HTTP answer) but no WebSocket")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "Via: 1.1 stripping-proxy")) << outcome.summary;
}

TEST_F(ReachabilityCheckTest, RefusedPortFailsWithTheRuleToOpen) {
  const std::uint16_t port = closed_port();
  const Outcome outcome = run_check(tls("https", port, "127.0.0.1"));
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "refused")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.remediation, "allow TCP " + std::to_string(port) + " out to 127.0.0.1"))
      << outcome.remediation;
  EXPECT_TRUE(contains(outcome.remediation, "ip daddr { 127.0.0.1 } tcp dport { " + std::to_string(port) + " } accept"))
      << outcome.remediation;
}

TEST_F(ReachabilityCheckTest, DroppedHostsTimeOutConcurrently) {
  DroppingNamespace ns;
  if (!ns.available()) GTEST_SKIP() << ns.why();
  ParamList params = {{"probe", "https"}, {"timeout_ms", "1000"}, {"port", "443"}};
  for (int i = 0; i < 6; ++i) params.emplace_back("host", ns.dropped_address());
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = run_check(params);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3000ms);  // sequential would be 6 s
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "timeout")) << outcome.summary;
}

TEST_F(ReachabilityCheckTest, ProxyCarriesWssAndInspectionIsNamed) {
  TestServer upgrading(ServerMode::websocket, pki_->good);
  TestServer rogue(ServerMode::tls, pki_->rogue);
  TestServer proxy(ServerMode::connect_proxy);
  NetworkSettings network;
  network.https_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  Outcome outcome = run_check(tls("wss", upgrading.port()), network);
  EXPECT_EQ(outcome.status, Status::pass) << all_text(outcome);
  EXPECT_TRUE(contains(outcome.summary, "through the proxy http://127.0.0.1:")) << outcome.summary;
  outcome = run_check(tls("https", rogue.port()), network);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "TLS inspection by a proxy")) << outcome.summary;
  const auto seen = proxy.connect_requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], "localhost:" + std::to_string(rogue.port()));
}

TEST_F(ReachabilityCheckTest, ProxyAskingForCredentialsFails) {
  TestServer server(ServerMode::tls, pki_->good);
  TestServer proxy(ServerMode::proxy_auth);
  NetworkSettings network;
  network.https_proxy = "127.0.0.1:" + std::to_string(proxy.port());
  const Outcome outcome = run_check(tls("https", server.port()), network);
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(all_text(outcome), "HTTP 407")) << all_text(outcome);
}

TEST_F(ReachabilityCheckTest, OfflineIsSkipped) {
  NetworkSettings network;
  network.offline = true;
  EXPECT_EQ(run_check(tls("https", 443, "127.0.0.1"), network).status, Status::skipped);
  EXPECT_TRUE(reachability_check_type().uses_network);
}

ParamList media(std::uint16_t udp, std::uint16_t tcp, std::uint16_t tls_port, const std::string& proxy = "127.0.0.1") {
  return {{"probe", "media"},
          {"media_proxy", proxy},
          {"stun_udp_port", std::to_string(udp)},
          {"stun_tcp_port", std::to_string(tcp)},
          {"stun_tls_port", std::to_string(tls_port)},
          {"timeout_ms", "1200"},
          {"media_udp_ports", "443,49152-65535"}};
}

TEST_F(ReachabilityCheckTest, MediaCase1WhenStunAnswersOverUdp) {
  Coturn coturn(temp_dir("coturn1"), pki_->good);
  if (!coturn.available()) GTEST_SKIP() << coturn.why();
  DroppingNamespace ns;
  ParamList params = media(coturn.port(), coturn.port(), coturn.tls_port());
  const std::uint16_t closed = closed_port();
  params.emplace_back("sfu", "127.0.0.1");
  params.emplace_back("sfu_probe_ports", std::to_string(closed));
  if (ns.available()) params.emplace_back("sfu", ns.dropped_address());
  const Outcome outcome = run_check(params);
  EXPECT_EQ(outcome.status, Status::pass) << all_text(outcome);
  EXPECT_TRUE(contains(outcome.summary, "case 1: UDP allowed to 127.0.0.1")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "SFU UDP proven to arrive at 127.0.0.1")) << outcome.summary;
  if (ns.available()) {
    EXPECT_TRUE(contains(outcome.summary, "SFU UDP unverified for " + ns.dropped_address())) << outcome.summary;
  }
  EXPECT_TRUE(contains(all_text(outcome), "public address seen by the server: 127.0.0.1:")) << all_text(outcome);
}

// Issue #21 item 8, the false pass: the STUN port answers over UDP but the
// media range is silent (here a socket that never answers, without root;
// media_firewall_test.cpp does the same behind a real nftables drop rule in
// a network namespace): never case 1. An ICMP port unreachable on the range (a closed
// loopback port) proves packets arrive: case 1.
TEST_F(ReachabilityCheckTest, MediaRangeMustBeShownToArriveForCase1) {
  Coturn coturn(temp_dir("coturn-range"), pki_->good);
  if (!coturn.available()) GTEST_SKIP() << coturn.why();
  SilentUdp silent;
  ParamList dropped = media(coturn.port(), coturn.port(), coturn.tls_port());
  dropped.emplace_back("media_probe_ports", std::to_string(silent.port()));
  const Outcome outcome = run_check(dropped);
  EXPECT_EQ(outcome.status, Status::fail) << all_text(outcome);
  EXPECT_FALSE(contains(outcome.summary, "case 1:")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "case 1 not proven for 127.0.0.1")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "case 2 proven")) << outcome.summary;
  EXPECT_TRUE(
      contains(all_text(outcome), "stun_udp 127.0.0.1 [127.0.0.1]:" + std::to_string(silent.port()) + ": timeout") ||
      contains(all_text(outcome), ":" + std::to_string(silent.port()) + ": timeout"))
      << all_text(outcome);

  ParamList reached = media(coturn.port(), coturn.port(), coturn.tls_port());
  reached.emplace_back("media_probe_ports", std::to_string(closed_port()));
  const Outcome ok = run_check(reached);
  EXPECT_EQ(ok.status, Status::pass) << all_text(ok);
  EXPECT_TRUE(contains(ok.summary, "case 1: UDP allowed to 127.0.0.1")) << ok.summary;
  EXPECT_TRUE(contains(ok.summary, "media range")) << ok.summary;
}

TEST_F(ReachabilityCheckTest, MediaCase2WhenUdpIsSilentButTcpAnswers) {
  Coturn coturn(temp_dir("coturn2"), pki_->good);
  if (!coturn.available()) GTEST_SKIP() << coturn.why();
  SilentUdp silent;
  const Outcome outcome = run_check(media(silent.port(), coturn.port(), coturn.tls_port()));
  EXPECT_EQ(outcome.status, Status::fail) << all_text(outcome);
  EXPECT_TRUE(contains(outcome.summary, "case 2: TCP")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "degraded video")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.summary, "UDP silent: unverified")) << outcome.summary;
  EXPECT_TRUE(contains(outcome.remediation, "allow UDP 443,49152-65535 out to 127.0.0.1")) << outcome.remediation;

  ParamList accepted = media(silent.port(), coturn.port(), coturn.tls_port());
  accepted.emplace_back("accept_degraded", "true");
  EXPECT_EQ(run_check(accepted).status, Status::pass);
}

TEST_F(ReachabilityCheckTest, MediaBlockedWhenNothingAnswers) {
  DroppingNamespace ns;
  if (!ns.available()) GTEST_SKIP() << ns.why();
  const std::string address = ns.dropped_address();
  const Outcome outcome = run_check(media(443, 443, 443, address));
  EXPECT_EQ(outcome.status, Status::fail);
  EXPECT_TRUE(contains(outcome.summary, "blocked: no media path to " + address)) << outcome.summary;
  EXPECT_TRUE(contains(outcome.remediation, "allow UDP 443,49152-65535 out to " + address)) << outcome.remediation;
  EXPECT_TRUE(contains(outcome.remediation, "allow TCP 443 out to " + address)) << outcome.remediation;
  EXPECT_TRUE(contains(outcome.remediation, "nft add rule inet filter output ip daddr { " + address +
                                                " } udp dport { 443, 49152-65535 } accept"))
      << outcome.remediation;
}

TEST_F(ReachabilityCheckTest, MediaProxyConfiguredSaysUdpCannotUseIt) {
  Coturn coturn(temp_dir("coturn3"), pki_->good);
  if (!coturn.available()) GTEST_SKIP() << coturn.why();
  NetworkSettings network;
  network.https_proxy = "http://127.0.0.1:" + std::to_string(closed_port());
  const Outcome outcome = run_check(media(coturn.port(), coturn.port(), coturn.tls_port()), network);
  EXPECT_EQ(outcome.status, Status::pass) << all_text(outcome);
  EXPECT_TRUE(contains(outcome.summary, "UDP media cannot go through it")) << outcome.summary;
}

TEST(ReachabilityParams, BadParametersAreParamErrors) {
  auto create = [](const ParamList& list) { return reachability_check_type().create(make_params(list)); };
  EXPECT_THROW(create({{"probe", "ftp"}, {"host", "a"}}), ParamError);
  EXPECT_THROW(create({{"probe", "https"}}), ParamError);
  EXPECT_THROW(create({{"probe", "https"}, {"host", "bad host"}}), ParamError);
  EXPECT_THROW(create({{"probe", "media"}}), ParamError);
  EXPECT_THROW(create({{"probe", "media"}, {"media_proxy", "a b"}}), ParamError);
  EXPECT_THROW(create({{"probe", "media"}, {"media_proxy", "x"}, {"sfu_udp_ports", "9-1"}}), ParamError);
  EXPECT_THROW(create({{"probe", "media"}, {"media_proxy", "x"}, {"sfu_probe_ports", "1000-2000"}}), ParamError);
  EXPECT_THROW(create({{"probe", "media"}, {"media_proxy", "x"}, {"media_probe_ports", "1000-2000"}}), ParamError);
  EXPECT_THROW(create({{"probe", "wss"}, {"host", "x"}, {"path", "no-slash"}}), ParamError);
  EXPECT_NO_THROW(create({{"probe", "media"}, {"media_proxy", "mp.example (192.0.2.1 , 192.0.2.2)"}}));
}

}  // namespace
}  // namespace clinic_audit::reachability
