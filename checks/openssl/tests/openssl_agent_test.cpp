// End to end: `clinic-audit run --root DIR --offline --no-sign --format json`
// with the shipped apicrypt-v2 policy (min_level 1, max_level 2) and with a
// site policy that overrides max_level, on the differential fixture roots.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "openssl_fixtures.hpp"
#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::openssl {
namespace {

constexpr const char* kCheckId = "apicrypt-v2.openssl.seclevel";

struct Audit {
  int exit_code = -1;
  nlohmann::json result;
};

Audit audit(const std::string& fixture, const std::string& policy = "apicrypt-v2",
            const std::string& check_id = kCheckId) {
  const auto root = testing::build_root(testing::find_case(fixture));
  const auto run = clinic_audit::testing::run_agent({"run", "--root", root.string(), "--policy", policy, "--only",
                                                     check_id, "--offline", "--no-sign", "--format", "json"});
  Audit out;
  out.exit_code = run.exit_code;
  const auto report = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_FALSE(report.is_discarded()) << run.out << run.err;
  if (report.is_discarded()) return out;
  for (const auto& r : report["results"]) {
    if (r["check_id"] == check_id) out.result = r;
  }
  EXPECT_FALSE(out.result.is_null()) << run.out;
  return out;
}

TEST(OpensslAgent, StockDebianPasses) {
  const Audit a = audit("debian12-stock");
  EXPECT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.result["status"], "pass") << a.result.dump(2);
  EXPECT_EQ(a.result["type"], "openssl");
}

TEST(OpensslAgent, LevelZeroFailsWithTheLine) {
  const Audit a = audit("level0");
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.result["status"], "fail") << a.result.dump(2);
  bool located = false;
  for (const auto& e : a.result["evidence"]) {
    located = located || (e["path"] == "/etc/ssl/openssl.cnf" && e["observed"] == "CipherString = DEFAULT@SECLEVEL=0" &&
                          e["line"].is_number());
  }
  EXPECT_TRUE(located) << a.result.dump(2);
  EXPECT_NE(a.result["remediation"].get<std::string>().find("CipherString = DEFAULT@SECLEVEL=2"), std::string::npos);
}

TEST(OpensslAgent, LevelThreeFailsForApicryptButPassesWithTheSiteOverride) {
  EXPECT_EQ(audit("level3").result["status"], "fail");
  const auto policy = clinic_audit::testing::source_dir() / "tests/fixtures/openssl/site-max3.xml";
  const Audit a = audit("level3", policy.string(), "openssl-site.seclevel");
  EXPECT_EQ(a.result["status"], "pass") << a.result.dump(2);
  EXPECT_EQ(a.exit_code, 0);
}

TEST(OpensslAgent, BrokenConfigurationsFail) {
  for (const char* fixture :
       {"bogus-cipher", "undefined-variable", "include-file", "minproto-bogus", "variable", "include-missing"}) {
    EXPECT_EQ(audit(fixture).result["status"], "fail") << fixture;
  }
  for (const char* fixture : {"no-config", "no-ssl_conf", "include-dir-quirk", "level1-colon"}) {
    EXPECT_EQ(audit(fixture).result["status"], "pass") << fixture;
  }
}

// Issue #19 item 5: the probe's answers cached in STATE_DIR/cache give the
// same result, evidence and remediation as a run that starts the probe.
TEST(OpensslAgent, CachedAnswersGiveTheSameResult) {
  const auto root = testing::build_root(testing::find_case("level0"));
  const auto state = std::filesystem::temp_directory_path() / ("ca-openssl-agent-cache-" + std::to_string(::getpid()));
  std::filesystem::remove_all(state);
  std::filesystem::create_directories(state);
  std::filesystem::permissions(state, std::filesystem::perms::owner_all);
  auto result_with = [&](const std::filesystem::path& state_dir) {
    const auto run = clinic_audit::testing::run_agent({"run", "--root", root.string(), "--policy", "apicrypt-v2",
                                                       "--only", kCheckId, "--offline", "--no-sign", "--format", "json",
                                                       "--state-dir", state_dir.string()});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    auto report = nlohmann::json::parse(run.out, nullptr, false);
    nlohmann::json result;
    for (auto& r : report["results"]) {
      if (r["check_id"] == kCheckId) result = r;
    }
    result.erase("duration_ms");
    return result;
  };
  // A state directory whose parent does not exist: no cache at all.
  const nlohmann::json uncached = result_with(state / "missing" / "state");
  EXPECT_FALSE(std::filesystem::exists(state / "missing"));
  EXPECT_EQ(uncached["status"], "fail") << uncached.dump(2);
  const nlohmann::json first = result_with(state);
  bool stored = false;
  for (const auto& e : std::filesystem::directory_iterator(state / "cache")) {
    stored = stored || e.path().filename().string().starts_with("openssl-probe-");
  }
  EXPECT_TRUE(stored) << "no cache entry in " << (state / "cache").string();
  const nlohmann::json cached = result_with(state);
  EXPECT_EQ(first.dump(2), uncached.dump(2));
  EXPECT_EQ(cached.dump(2), uncached.dump(2));
  std::filesystem::remove_all(state);
}

// Issue #19 item 5: a warm full audit calls no OpenSSL function, so the
// dynamic loader never maps libcrypto (nor libssl): NCONF's parse, OPENSSLDIR
// and the probe's answers all come from STATE_DIR/cache. The cold run does
// load it (this test would see a loader log that never names it).
TEST(OpensslAgent, AWarmFullAuditDoesNotLoadLibcrypto) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ca-openssl-agent-warm-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "state");
  fs::permissions(dir, fs::perms::owner_all);
  fs::permissions(dir / "state", fs::perms::owner_all);
  clinic_audit::testing::FixtureRoot root(dir / "root");
  root.apply_manifest(clinic_audit::testing::source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  struct Traced {
    clinic_audit::testing::AgentRun run;
    bool crypto = false;
    bool ssl = false;
    int logs = 0;
  };
  // The same LD_DEBUG_OUTPUT for both runs: the environment is part of the
  // key (NCONF reads it through the ENV section).
  const fs::path logs = dir / "ld-logs";
  auto traced = [&] {
    fs::remove_all(logs);
    fs::create_directories(logs);
    Traced out;
    out.run = clinic_audit::testing::run_agent({"run", "--root", root.path().string(), "--offline", "--no-sign",
                                                "--format", "json", "--state-dir", (dir / "state").string(), "--policy",
                                                "apicrypt-v1", "--policy", "apicrypt-v2", "--policy", "ekermed"},
                                               {{"LD_DEBUG", "files"}, {"LD_DEBUG_OUTPUT", (logs / "ld").string()}});
    for (const auto& entry : fs::directory_iterator(logs)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string log{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      ++out.logs;
      out.crypto = out.crypto || log.find("file=libcrypto.so") != std::string::npos;
      out.ssl = out.ssl || log.find("file=libssl.so") != std::string::npos;
    }
    return out;
  };
  auto openssl_result = [](const Traced& t) {
    auto report = nlohmann::json::parse(t.run.out, nullptr, false);
    nlohmann::json result;
    for (auto& r : report["results"]) {
      if (r["check_id"] == kCheckId) result = r;
    }
    result.erase("duration_ms");
    return result;
  };
  const Traced cold = traced();
  ASSERT_GT(cold.logs, 0) << "no dynamic loader log";
  EXPECT_TRUE(cold.crypto) << "the cold run was expected to ask libcrypto";
  const Traced warm = traced();
  ASSERT_GT(warm.logs, 0) << "no dynamic loader log";
  EXPECT_FALSE(warm.crypto) << "a warm audit loaded libcrypto";
  EXPECT_FALSE(warm.ssl) << "a warm audit loaded libssl";
  EXPECT_EQ(warm.run.exit_code, cold.run.exit_code) << warm.run.err;
  EXPECT_EQ(openssl_result(cold)["status"], "pass") << cold.run.out;
  EXPECT_EQ(openssl_result(warm).dump(2), openssl_result(cold).dump(2));
  EXPECT_EQ(nlohmann::json::parse(warm.run.out, nullptr, false)["results"].size(),
            nlohmann::json::parse(cold.run.out, nullptr, false)["results"].size());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace clinic_audit::openssl
