// Issue #17 items 4 and 6: under --root the report says what it describes
// (the image's own agent.conf, network probes skipped with the reason, the
// OpenSSL level computed by the auditing machine's library next to the
// image's libssl version), and an error row says what to do next.
#include <filesystem>
#include <gtest/gtest.h>

#include <fstream>

#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

FixtureRoot compliant(const std::string& name) {
  FixtureRoot root(fixture_dir(name));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  return root;
}

const nlohmann::json* variable(const nlohmann::json& report, const std::string& policy, const std::string& name) {
  for (const auto& v : report["variables"]) {
    if (v["policy_id"] == policy && v["name"] == name) return &v;
  }
  ADD_FAILURE() << "no variable " << policy << "/" << name;
  return nullptr;
}

TEST(RootVerdicts, TheImagesOwnAgentConfIsUsedUnlessConfigIsGiven) {
  FixtureRoot root = compliant("root-own-conf");
  root.file("/etc/clinic-audit/agent.conf",
            "<?xml version=\"1.0\"?>\n<agent-config xmlns=\"urn:clinic-audit:config:1\">\n"
            "  <variable name=\"apicrypt_version\">1</variable>\n"
            "  <waiver check=\"apicrypt-v2.keys.clefs-directory\" expires=\"2099-12-31\">ticket 42</waiver>\n"
            "</agent-config>\n");
  AgentRun run = run_agent(
      {"run", "--root", root.path().string(), "--policy", "apicrypt-v2", "--offline", "--no-sign", "--format", "json"});
  auto report = parse_report(run.out);
  const auto* v = variable(report, "apicrypt-v2", "apicrypt_version");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["value"], "1");
  EXPECT_EQ((*v)["origin"], "site configuration");
  EXPECT_EQ((*v)["source"], (root.path() / "etc/clinic-audit/agent.conf").string());
  EXPECT_EQ(result_of(report, "apicrypt-v2.keys.clefs-directory")["status"], "not_applicable");

  // --config wins over the image's file.
  const auto other = root.path() / "other.conf";
  std::ofstream(other) << "<?xml version=\"1.0\"?>\n<agent-config xmlns=\"urn:clinic-audit:config:1\"/>\n";
  run = run_agent({"run", "--root", root.path().string(), "--config", other.string(), "--policy", "apicrypt-v2",
                   "--offline", "--no-sign", "--format", "json"});
  report = parse_report(run.out);
  v = variable(report, "apicrypt-v2", "apicrypt_version");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["value"], "2");
  EXPECT_EQ((*v)["origin"], "policy default");
}

TEST(RootVerdicts, NetworkProbesAreSkippedUnderRootWithTheReason) {
  FixtureRoot root = compliant("root-reachability");
  // Loopback only: even if the skip failed, nothing leaves the machine.
  const auto policy = root.path() / "reach.xml";
  std::ofstream(policy)
      << "<?xml version=\"1.0\"?>\n<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"reach-root\" version=\"1\">\n"
         "  <title>t</title><description>t</description>\n"
         "  <check id=\"t.https\" type=\"reachability\" severity=\"high\">\n"
         "    <title>t</title><rationale>t</rationale><remediation>t</remediation>\n"
         "    <reference seed=\"000_454215b966676928.txt\" section=\"2.2\"/>\n"
         "    <param name=\"probe\">https</param><param name=\"host\">127.0.0.1</param><param name=\"port\">9</param>\n"
         "  </check>\n</policy>\n";
  const AgentRun run =
      run_agent({"run", "--root", root.path().string(), "--policy", policy.string(), "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto r = result_of(parse_report(run.out), "t.https");
  EXPECT_EQ(r["status"], "skipped");
  EXPECT_EQ(r["summary"],
            "auditing an image (--root): network probes would test the auditing machine's network, not the audited "
            "machine's; run the audit on that machine");
}

TEST(RootVerdicts, OpensslLevelStatesBothLibraryVersionsAndFlagsAnotherRelease) {
  FixtureRoot root = compliant("root-openssl");
  root.file("/var/lib/dpkg/status",
            "Package: libssl-dev\nStatus: install ok installed\nVersion: 1.1.1n-0+deb11u5\n\n"
            "Package: libssl1.1\nStatus: install ok installed\nPriority: optional\nVersion: 1.1.1n-0+deb11u5\n\n"
            "Package: openssl\nStatus: install ok installed\nVersion: 1.1.1n-0+deb11u5\n");
  const AgentRun run = run_agent({"run", "--root", root.path().string(), "--policy", "apicrypt-v2", "--only",
                                  "apicrypt-v2.openssl.seclevel", "--offline", "--no-sign", "--format", "json"});
  const auto r = result_of(parse_report(run.out), "apicrypt-v2.openssl.seclevel");
  const std::string summary = r["summary"];
  EXPECT_NE(summary.find("the image has libssl1.1 1.1.1n-0+deb11u5 (1.1): its compiled-in defaults may differ"),
            std::string::npos)
      << summary;
  bool found = false;
  for (const auto& e : r["evidence"]) {
    if (e["path"] == "/var/lib/dpkg/status") {
      found = true;
      EXPECT_EQ(e["line"], 8);
      EXPECT_EQ(e["observed"], "the image has libssl1.1 1.1.1n-0+deb11u5");
      EXPECT_EQ(e["expected"].get<std::string>().rfind("computed by the auditing machine's OpenSSL 3.", 0), 0u) << e;
    }
  }
  EXPECT_TRUE(found) << r.dump(2);
}

TEST(ErrorRows, CarryANextStep) {
  FixtureRoot root = compliant("error-next-step");
  // php.ini a FIFO: the php_ini check cannot read it (error, naming it).
  std::filesystem::remove(root.host("/etc/php/8.2/apache2/php.ini"));
  root.fifo("/etc/php/8.2/apache2/php.ini");
  AgentRun run = run_agent({"run", "--root", root.path().string(), "--policy", "apicrypt-v2", "--only",
                            "apicrypt-v2.php.sys-temp-dir", "--offline", "--no-sign", "--format", "json"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto r = result_of(parse_report(run.out), "apicrypt-v2.php.sys-temp-dir");
  EXPECT_EQ(r["status"], "error") << r.dump(2);
  const std::string remediation = r["remediation"].get<std::string>();
  EXPECT_EQ(remediation.rfind("Next step: check that /etc/php/8.2/apache2/php.ini", 0), 0u) << remediation;
  EXPECT_NE(remediation.find("then rerun this check alone: clinic-audit run --only apicrypt-v2.php.sys-temp-dir "
                             "(add the same --root/--policy options)."),
            std::string::npos)
      << remediation;
  EXPECT_TRUE(r["remediation_commands"].empty());
  run = run_agent({"run", "--root", root.path().string(), "--policy", "apicrypt-v2", "--only",
                   "apicrypt-v2.php.sys-temp-dir", "--offline", "--no-sign"});
  EXPECT_NE(run.out.find("next:     Next step: check that /etc/php/8.2/apache2/php.ini"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace clinic_audit::testing
