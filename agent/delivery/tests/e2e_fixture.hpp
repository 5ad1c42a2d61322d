// The fixture of the end-to-end delivery tests (e2e_collector_test.cpp,
// netcut_test.cpp): a real agent binary with its own configuration, state,
// reports and audited root, enrolled with a real collector (harness).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "collector_harness.hpp"
#include "spool.hpp"

namespace clinic_audit::delivery::test {

using collector::test::Collector;
using collector::test::quote;
using collector::test::sh;
using collector::test::Shell;

inline std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  return trimmed.substr(trimmed.rfind('\n') == std::string::npos ? 0 : trimmed.rfind('\n') + 1);
}

class EndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(etc_);
    std::filesystem::create_directories(reports_);
    // The audited root names this machine (the collector checks that a
    // report's host.machine_id is the certificate's serialNumber).
    std::filesystem::create_directories(root_ / "etc");
    for (const char* file : {"etc/machine-id", "etc/hostname"}) {
      if (std::filesystem::exists(std::filesystem::path("/") / file)) {
        std::filesystem::copy_file(std::filesystem::path("/") / file, root_ / file);
      }
    }
    write_config("");
  }
  // agent.conf: identity in etc_, small retry policy for tests.
  void write_config(const std::string& collector_url) {
    collector::test::write_file(
        config_, "<agent-config xmlns=\"urn:clinic-audit:config:1\">\n"
                 "  <signing key=\"" +
                     (etc_ / "agent.key").string() + "\" cert=\"" + (etc_ / "agent.crt").string() + "\"/>\n" +
                     (collector_url.empty() ? ""
                                            : "  <collector url=\"" + collector_url +
                                                  "\" retry-base-ms=\"20\" retry-cap-ms=\"100\" max-attempts=\"2\" "
                                                  "timeout-seconds=\"5\" max-run-seconds=\"60\"/>\n") +
                     spool_ + "  <reports keep=\"100\"/>\n</agent-config>\n");
  }
  Shell agent(const std::string& arguments, const std::string& env = "") const {
    return sh(env + " " + quote(collector::test::agent_binary()) + " " + arguments + " --config " + quote(config_) +
              " --state-dir " + quote(state_));
  }
  // One audit, as the timer runs it (a small policy on an empty root).
  void audit() {
    const Shell run = agent("run --quiet --offline --policy apicrypt-v1 --only apicrypt-v1.binary.apicrypt --root " +
                            quote(root_) + " --format json --out " + quote(reports_) + " --trigger timer");
    ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1 || run.exit_code == 2) << run.output;
  }
  void enroll(Collector& collector) {
    const Shell token = collector.cli("token create --uses 1 --site test");
    ASSERT_EQ(token.exit_code, 0) << token.output;
    // The collector sends only its own certificate: pin that one.
    const Shell fingerprint = sh("openssl x509 -in " + quote(collector.dir() / "data" / "server.crt") +
                                 " -noout -fingerprint -sha256 | cut -d= -f2");
    const Shell enrolled =
        agent("enroll --collector " + quote(collector.url("")) + " --token " + quote(last_line(token.output)) +
              " --ca-fingerprint " + quote(last_line(fingerprint.output)));
    ASSERT_EQ(enrolled.exit_code, 0) << enrolled.output;
    // Small retry settings, so that "collector down" costs milliseconds.
    write_config(collector.url(""));
  }
  std::size_t spooled() const { return store::Spool(state_ / "spool").entries().size(); }
  // The collector's history of this host: sequences in arrival order, anomalies.
  nlohmann::json history(Collector& collector) const {
    const Shell exported = collector.cli("export --format json --history");
    EXPECT_EQ(exported.exit_code, 0) << exported.output;
    const auto json = nlohmann::json::parse(exported.output.substr(exported.output.find('[')), nullptr, false);
    return json.is_discarded() ? nlohmann::json::array() : json;
  }
  static std::vector<std::uint64_t> sequences(const nlohmann::json& rows) {
    std::vector<std::uint64_t> out;
    for (const auto& row : rows) out.push_back(row["sequence"].get<std::uint64_t>());
    std::sort(out.begin(), out.end());
    return out;
  }

  collector::test::TempDir dir_;
  std::filesystem::path etc_ = dir_.path() / "etc";
  std::filesystem::path state_ = dir_.path() / "state";
  std::filesystem::path reports_ = dir_.path() / "reports";
  std::filesystem::path root_ = dir_.path() / "root";
  std::filesystem::path config_ = dir_.path() / "agent.conf";
  std::string spool_;  // a <spool .../> line for agent.conf
};

inline std::vector<std::uint64_t> one_to(std::uint64_t n) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 1; i <= n; ++i) out.push_back(i);
  return out;
}

}  // namespace clinic_audit::delivery::test
