// The reachability checks through the built clinic-audit binary: a test
// policy whose endpoints are local peers, and the shipped `ekermed` policy
// under --offline. The latter runs in a fresh network namespace (unshare
// --net) so that even a broken --offline could not reach the seed's hosts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fixture_root.hpp"
#include "run_agent.hpp"
#include "test_network.hpp"
#include "test_servers.hpp"

namespace clinic_audit::reachability {
namespace {

using nlohmann::json;
using namespace testing;

std::filesystem::path temp_dir(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("careach-agent-" + name + "-" + std::to_string(::getpid()));
}

json result_of(const json& report, const std::string& id) {
  for (const auto& result : report.at("results")) {
    if (result.at("check_id") == id) return result;
  }
  ADD_FAILURE() << "no result for " << id;
  return json::object();
}

std::string check_xml(const std::string& id, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string xml = "  <check id=\"" + id +
                    "\" type=\"reachability\" severity=\"high\">\n"
                    "    <title>" +
                    id +
                    "</title><rationale>test</rationale><remediation>test</remediation>\n"
                    "    <reference seed=\"000_454215b966676928.txt\" section=\"2.2 Paramètres de pare-feu\"/>\n";
  for (const auto& [name, value] : params) xml += "    <param name=\"" + name + "\">" + value + "</param>\n";
  return xml + "  </check>\n";
}

TEST(ReachabilityAgent, LocalPeersThroughThePipeline) {
  const auto dir = temp_dir("local");
  TestPki pki(dir / "pki");
  TestServer good(ServerMode::tls, pki.good);
  TestServer rogue(ServerMode::tls, pki.rogue);
  TestServer websocket(ServerMode::websocket, pki.good);
  Coturn coturn(dir / "coturn", pki.good);
  if (!coturn.available()) GTEST_SKIP() << coturn.why();
  const std::string ca = pki.ca_file.string();
  // use_proxy=false: a proxy in the CI environment must not redirect these probes.
  auto tls = [&](const std::string& probe, std::uint16_t port) {
    return std::vector<std::pair<std::string, std::string>>{
        {"probe", probe}, {"host", "localhost"},  {"port", std::to_string(port)},
        {"ca_file", ca},  {"timeout_ms", "1500"}, {"use_proxy", "false"}};
  };
  std::string policy = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"reach-local\" version=\"1\">\n"
                       "  <title>local peers</title><description>reachability against loopback peers</description>\n"
                       "  <variable name=\"proxy_addr\" default=\"127.0.0.1\"/>\n";
  policy += check_xml("t.https", tls("https", good.port()));
  policy += check_xml("t.inspected", tls("https", rogue.port()));
  policy += check_xml("t.wss", tls("wss", websocket.port()));
  policy += check_xml("t.media", {{"probe", "media"},
                                  {"media_proxy", "${proxy_addr}"},
                                  {"stun_udp_port", std::to_string(coturn.port())},
                                  {"stun_tcp_port", std::to_string(coturn.port())},
                                  {"stun_tls_port", std::to_string(coturn.tls_port())},
                                  {"timeout_ms", "1500"}});
  policy += "</policy>\n";
  std::filesystem::create_directories(dir);
  const auto policy_file = dir / "reach-local.xml";
  std::ofstream(policy_file) << policy;
  clinic_audit::testing::FixtureRoot root(clinic_audit::testing::fixture_dir("reachability-agent-root"));
  root.debian_accounts();

  // Not under --root: probes there would describe the auditing machine's
  // network, so they are skipped (issue #17 item 4); this policy reads no file.
  const auto run =
      clinic_audit::testing::run_agent({"run", "--policy", policy_file.string(), "--no-sign", "--format", "json"});
  ASSERT_EQ(run.exit_code, 1) << run.err << run.out;  // one fail: the inspected endpoint
  const json report = json::parse(run.out);
  json r = result_of(report, "t.https");
  EXPECT_EQ(r["type"], "reachability");
  EXPECT_EQ(r["status"], "pass") << r.dump(2);
  r = result_of(report, "t.inspected");
  EXPECT_EQ(r["status"], "fail");
  EXPECT_NE(r["summary"].get<std::string>().find("TLS inspection by a proxy"), std::string::npos) << r.dump(2);
  EXPECT_EQ(result_of(report, "t.wss")["status"], "pass");
  r = result_of(report, "t.media");
  EXPECT_EQ(r["status"], "pass") << r.dump(2);
  EXPECT_EQ(r["summary"].get<std::string>().rfind("case 1: UDP allowed to 127.0.0.1", 0), 0u) << r.dump(2);
  std::filesystem::remove_all(dir);
}

TEST(ReachabilityAgent, ShippedPolicyOfflineIsSkippedInAnIsolatedNamespace) {
  if (::geteuid() != 0 || std::system("unshare --net true >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "needs root and unshare(1) to isolate the agent from any network";
  }
  clinic_audit::testing::FixtureRoot root(clinic_audit::testing::fixture_dir("reachability-offline-root"));
  root.debian_accounts();
  const auto out = temp_dir("offline.json");
  const std::string command = "timeout 60 unshare --net -- " + clinic_audit::testing::agent_binary() + " run --root " +
                              root.path().string() + " --policy " +
                              (clinic_audit::testing::source_dir() / "policies/ekermed.xml").string() +
                              " --offline --no-sign --format json > " + out.string() + " 2>/dev/null";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  std::ifstream in(out);
  const json report = json::parse(in);
  int reachability = 0;
  for (const auto& result : report.at("results")) {
    if (result.at("type") != "reachability") continue;
    ++reachability;
    EXPECT_EQ(result.at("status"), "skipped") << result.dump(2);
  }
  EXPECT_EQ(reachability, 3);  // https (7 domains), wss, media
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace clinic_audit::reachability
