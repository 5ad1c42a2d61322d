// End to end: `clinic-audit run --root DIR --offline --no-sign --format json`
// with the shipped apicrypt-v2 policy (min_level 1, max_level 2) and with a
// site policy that overrides max_level, on the differential fixture roots.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>

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

}  // namespace
}  // namespace clinic_audit::openssl
