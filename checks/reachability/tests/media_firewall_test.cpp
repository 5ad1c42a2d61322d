// Issue #21 item 8, the false pass, against a real firewall: the media proxy
// lives in a network namespace whose nftables input rule silently drops UDP
// 49152-65535, while coturn answers STUN on UDP 443 there. The check samples
// the media range (media_probe_ports defaults to both ends of each
// media_udp_ports range): the silence there must keep it from calling case 1
// proven. The same proxy with a media range outside the dropped one (its
// closed ports answer with ICMP port unreachable, proof that packets
// arrive) is case 1. Needs root (CTest label "root").
#include <gtest/gtest.h>
#include <unistd.h>

#include "check_test_support.hpp"
#include "test_network.hpp"
#include "test_pki.hpp"

namespace clinic_audit::reachability {
namespace {

using namespace testing;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::filesystem::path temp_dir(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("careach-fw-" + name + "-" + std::to_string(::getpid()));
}

ParamList media(const FirewalledMediaProxy& proxy, const std::string& media_udp_ports) {
  return {{"probe", "media"},
          {"media_proxy", proxy.address()},
          {"stun_udp_port", std::to_string(proxy.stun_port())},
          {"stun_tcp_port", std::to_string(proxy.stun_port())},
          {"stun_tls_port", std::to_string(proxy.tls_port())},
          {"timeout_ms", "1200"},
          {"media_udp_ports", media_udp_ports}};
}

TEST(MediaFirewall, SilentlyDroppedMediaRangeIsNeverCase1) {
  TestPki pki(temp_dir("pki"));
  {
    FirewalledMediaProxy proxy(temp_dir("proxy"), pki.good);
    if (!proxy.available()) GTEST_SKIP() << proxy.why();
    const std::string& addr = proxy.address();

    // STUN on UDP 443 answers, 49152 and 65535 are dropped: not case 1.
    const Outcome dropped = run_check(media(proxy, "443,49152-65535"));
    EXPECT_EQ(dropped.status, Status::fail) << all_text(dropped);
    EXPECT_FALSE(contains(dropped.summary, "case 1:")) << dropped.summary;
    EXPECT_TRUE(contains(dropped.summary, "case 1 not proven for " + addr)) << dropped.summary;
    EXPECT_TRUE(contains(all_text(dropped), addr + ":443: answered")) << all_text(dropped);
    EXPECT_TRUE(contains(all_text(dropped), addr + ":49152: timeout")) << all_text(dropped);
    EXPECT_TRUE(contains(all_text(dropped), addr + ":65535: timeout")) << all_text(dropped);

    // The same proxy, a media range the firewall lets through: the closed
    // ports there answer ICMP port unreachable, so packets arrive: case 1.
    const Outcome open = run_check(media(proxy, "443,40000-40010"));
    EXPECT_EQ(open.status, Status::pass) << all_text(open);
    EXPECT_TRUE(contains(open.summary, "case 1: UDP allowed to " + addr)) << open.summary;
    EXPECT_TRUE(contains(open.summary, "media range")) << open.summary;
  }
  std::filesystem::remove_all(temp_dir("pki"));
}

}  // namespace
}  // namespace clinic_audit::reachability
