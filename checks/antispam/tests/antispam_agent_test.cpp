// Integration: the built clinic-audit runs the shipped ekermed policy on the
// antispam fixture roots (--offline, JSON report) and reports the exact
// status of ekermed.antispam.whitelist, with the exit code of DESIGN §4.
#include <gtest/gtest.h>

#include <ostream>

#include <nlohmann/json.hpp>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit {
namespace {

using clinic_audit::testing::AgentRun;
using clinic_audit::testing::run_agent;
using clinic_audit::testing::source_dir;

struct AgentCase {
  std::string fixture;
  std::string status;
  int exit_code;
};

void PrintTo(const AgentCase& c, std::ostream* os) { *os << c.fixture; }

class AntispamAgent : public ::testing::TestWithParam<AgentCase> {};

TEST_P(AntispamAgent, ShippedPolicyReportsExactStatus) {
  const AgentCase& c = GetParam();
  const std::string root = (source_dir() / "tests/fixtures/antispam" / c.fixture).string();
  const AgentRun run = run_agent({"run", "--root", root, "--policy", "ekermed", "--offline", "--no-sign", "--format",
                                  "json", "--only", "ekermed.antispam.whitelist"});
  ASSERT_EQ(run.exit_code, c.exit_code) << run.err << run.out;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report.at("results").size(), 1U) << run.out;
  const nlohmann::json& result = report.at("results").at(0);
  EXPECT_EQ(result.at("check_id"), "ekermed.antispam.whitelist");
  EXPECT_EQ(result.at("type"), "antispam");
  EXPECT_EQ(result.at("severity"), "medium");
  EXPECT_EQ(result.at("status"), c.status) << result.dump(2);
  if (c.status == "fail") {
    // The policy's remediation, then the exact line for the filter found.
    EXPECT_NE(result.at("remediation").get<std::string>().find("visiotlm.esante-bretagne.fr"), std::string::npos)
        << result.dump(2);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, AntispamAgent,
    ::testing::Values(AgentCase{"no_filter", "not_applicable", 0}, AgentCase{"sa_welcomelisted", "pass", 0},
                      AgentCase{"sa_parent_domain_only", "fail", 1}, AgentCase{"postfix_whitelisted", "pass", 0},
                      AgentCase{"postfix_rbl_no_whitelist", "fail", 1}, AgentCase{"postfix_pcre_map", "pass", 0},
                      AgentCase{"rspamd_multimap_accept", "pass", 0}, AgentCase{"amavis_not_whitelisted", "fail", 1},
                      AgentCase{"mixed_sa_ok_postfix_rbl", "fail", 1}, AgentCase{"postgrey_only", "not_applicable", 0}),
    [](const ::testing::TestParamInfo<AgentCase>& param_info) { return param_info.param.fixture; });

}  // namespace
}  // namespace clinic_audit
