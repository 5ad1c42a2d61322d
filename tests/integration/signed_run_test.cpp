// `run --out` signs and chains its reports (issue #8 items 2-5 through the
// agent): keygen, two runs, stock `openssl cms -verify`, `clinic-audit verify`,
// a tampered byte, and a refused key leaving nothing behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

std::vector<std::filesystem::path> files_with(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().string().ends_with(suffix)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SignedRun : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fixture_dir("signed-run");
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_ / "out");
    std::filesystem::create_directories(base_ / "state");
    FixtureRoot root(base_ / "root");
    root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
    root_ = root.path().string();
    key_ = (base_ / "agent.key").string();
    cert_ = (base_ / "agent.crt").string();
    conf_ = (base_ / "agent.conf").string();
    std::ofstream(conf_) << "<agent-config xmlns=\"urn:clinic-audit:config:1\"><signing key=\"" << key_ << "\" cert=\""
                         << cert_ << "\"/><reports keep=\"10\"/></agent-config>\n";
  }
  AgentRun audit() {
    return run_agent({"run", "--root", root_, "--config", conf_, "--policy", "apicrypt-v1", "--offline", "--format",
                      "json", "--format", "xml", "--out", (base_ / "out").string(), "--state-dir",
                      (base_ / "state").string()});
  }
  std::filesystem::path base_;
  std::string root_, key_, cert_, conf_;
};

TEST_F(SignedRun, KeygenRunTwiceVerifyThenTamper) {
  AgentRun run = run_agent({"keygen", "--key", key_, "--cert", cert_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  struct stat st {};
  ASSERT_EQ(::stat(key_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  run = run_agent({"keygen", "--key", key_, "--cert", cert_});
  EXPECT_EQ(run.exit_code, 65) << "keygen must not overwrite a key without --force";

  run = audit();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = audit();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto jsons = files_with(base_ / "out", ".json");
  ASSERT_EQ(jsons.size(), 2u);
  std::ifstream first_in(jsons[0]), second_in(jsons[1]);
  std::string first((std::istreambuf_iterator<char>(first_in)), {});
  std::string second((std::istreambuf_iterator<char>(second_in)), {});
  const auto r1 = parse_report(first);
  const auto r2 = parse_report(second);
  EXPECT_EQ(r1["run"]["sequence"].get<int>() + 1, r2["run"]["sequence"].get<int>());
  EXPECT_EQ(r2["run"]["previous_sha256"], sha256_of_file(jsons[0]));

  // Stock OpenSSL verifies every signature (DESIGN.md §6).
  ProcessRunner runner;
  for (const auto& report : files_with(base_ / "out", ".json")) {
    CommandSpec spec;
    spec.program = "/usr/bin/openssl";
    spec.args = {"cms",      "-verify",       "-binary", "-inform", "DER",      "-in", report.string() + ".p7s",
                 "-content", report.string(), "-CAfile", cert_,     "-purpose", "any", "-out",
                 "/dev/null"};
    const auto result = runner.run(spec);
    EXPECT_EQ(result.exit_code, 0) << result.err;
  }
  run = run_agent({"verify", (base_ / "out").string(), "--ca", cert_});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;

  // One byte changed in the first report: verify names it and fails.
  std::string tampered = first;
  tampered[tampered.find("\"pass\"") + 1] = 'P';
  std::ofstream(jsons[0], std::ios::binary | std::ios::trunc) << tampered;
  run = run_agent({"verify", (base_ / "out").string(), "--ca", cert_});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find(jsons[0].filename().string()), std::string::npos) << run.out;
}

TEST_F(SignedRun, MissingKeyRefusesBeforeWritingAnything) {
  const AgentRun run = audit();
  EXPECT_EQ(run.exit_code, 65) << run.err;
  EXPECT_NE(run.err.find("cannot sign reports: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(key_), std::string::npos) << run.err;
  EXPECT_TRUE(std::filesystem::is_empty(base_ / "out"));
}

TEST_F(SignedRun, WorldReadableKeyIsRefused) {
  ASSERT_EQ(run_agent({"keygen", "--key", key_, "--cert", cert_}).exit_code, 0);
  ::chmod(key_.c_str(), 0644);
  const AgentRun run = audit();
  EXPECT_EQ(run.exit_code, 65) << run.err;
  EXPECT_TRUE(std::filesystem::is_empty(base_ / "out"));
  EXPECT_EQ(run.err.find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit::testing
