// POST /api/v1/reports through a real collector process with stock curl
// (issue #11 items 2, 4, 5): status codes, stored once, chain judgement.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "collector_harness.hpp"

namespace clinic_audit::collector::test {
namespace {

using nlohmann::json;

const std::string kMachineA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kMachineB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

json body_of(const Collector::Response& response) {
  const auto parsed = json::parse(response.body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << response.body;
  return parsed;
}

std::string kinds(const json& body) {
  std::string out;
  for (const auto& anomaly : body["anomalies"]) out += anomaly["kind"].get<std::string>() + " ";
  return out;
}

TEST(IngestHttp, StoresOnceAnswersDuplicateAndKeepsTheExactBytes) {
  Collector collector;
  const AgentIdentity agent = collector.issue("cab-a", kMachineA);
  const SignedReport report = collector.make_report(agent, seq(1).with_results(20));
  const auto first = collector.submit(report, &agent);
  ASSERT_EQ(first.status, 201) << first.body << collector.log();
  const json body = body_of(first);
  EXPECT_EQ(body["status"], "stored");
  EXPECT_EQ(body["report_id"], report.report_id);
  EXPECT_EQ(body["sequence"], 1);
  EXPECT_EQ(body["chain"], "ok");
  EXPECT_TRUE(body["anomalies"].empty());
  const auto again = collector.submit(report, &agent);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(body_of(again)["status"], "duplicate");
  EXPECT_EQ(collector.stored_reports(), 1U);
  // The stored bytes are the submitted ones, and stock OpenSSL verifies them.
  const Shell exported = collector.cli("export --history --originals " + quote(collector.dir() / "originals"));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  const auto original = collector.dir() / "originals" / (kMachineA + "-1-" + report.report_id + ".json");
  std::filesystem::copy_file(original, collector.dir() / "out.json");
  std::filesystem::copy_file(original.string() + ".p7s", collector.dir() / "out.json.p7s");
  EXPECT_EQ(read_file(collector.dir() / "out.json"), read_file(report.report));
  const Shell openssl = sh("openssl cms -verify -binary -inform DER -in " + quote(collector.dir() / "out.json.p7s") +
                           " -content " + quote(collector.dir() / "out.json") + " -CAfile " +
                           quote(collector.ca_cert()) + " -purpose any -out /dev/null");
  EXPECT_EQ(openssl.exit_code, 0) << openssl.output;
  std::string output;
  EXPECT_TRUE(collector.verify_passes(&output)) << output;
  // One log line per request, with host, report id, outcome and duration.
  EXPECT_NE(collector.log().find("POST /api/v1/reports 201 stored host=" + kMachineA + " report=" + report.report_id),
            std::string::npos)
      << collector.log();
}

TEST(IngestHttp, XmlReportsAreAcceptedAndTheOtherFormatOfARunIsADuplicate) {
  Collector collector;
  const AgentIdentity agent = collector.issue("cab-a", kMachineA);
  const SignedReport xml =
      collector.make_report(agent, seq(1).with_id("11111111-2222-4333-8444-555555555555").with_format("xml"));
  const auto stored = collector.submit(xml, &agent);
  ASSERT_EQ(stored.status, 201) << stored.body;
  const SignedReport json_report = collector.make_report(agent, seq(1).with_id("11111111-2222-4333-8444-555555555555"));
  // Not the same bytes: same run, other format.
  EXPECT_EQ(collector.submit(json_report, &agent).status, 200);
  EXPECT_EQ(collector.stored_reports(), 1U);
}

TEST(IngestHttp, GapIsCountedAndLateReportsFillIt) {
  Collector collector;
  const AgentIdentity agent = collector.issue("cab-a", kMachineA);
  std::vector<SignedReport> chain;
  std::optional<std::string> previous;
  for (std::uint64_t sequence = 1; sequence <= 5; ++sequence) {
    chain.push_back(collector.make_report(agent, seq(sequence, previous)));
    previous = chain.back().sha256;
  }
  ASSERT_EQ(collector.submit(chain[0], &agent).status, 201);
  const auto gap = collector.submit(chain[4], &agent);
  ASSERT_EQ(gap.status, 201);
  json body = body_of(gap);
  EXPECT_EQ(body["chain"], "anomaly");
  ASSERT_EQ(body["anomalies"].size(), 1U);
  EXPECT_EQ(body["anomalies"][0]["kind"], "gap");
  EXPECT_NE(body["anomalies"][0]["detail"].get<std::string>().find("3 report(s) missing: sequence 2..4"),
            std::string::npos)
      << body.dump();
  // 3 arrives late: in order itself, it splits the gap into 2 and 4.
  body = body_of(collector.submit(chain[2], &agent));
  EXPECT_EQ(body["chain"], "ok") << body.dump();
  const auto open_gaps = [&] {
    return sh("sqlite3 " + quote(collector.dir() / "data" / "collector.db") +
              " \"SELECT group_concat(seq_from || '-' || seq_to, ' ') FROM anomalies WHERE kind = 'gap' AND resolved_at IS NULL\"")
        .output;
  };
  EXPECT_EQ(open_gaps(), "2-2 4-4\n");
  EXPECT_EQ(collector.submit(chain[1], &agent).status, 201);
  EXPECT_EQ(collector.submit(chain[3], &agent).status, 201);
  EXPECT_EQ(open_gaps(), "\n");  // the gap disappeared
  std::string output;
  EXPECT_TRUE(collector.verify_passes(&output)) << output;
}

TEST(IngestHttp, ReplayForkAndRestartAreStoredAndFlagged) {
  Collector collector;
  const AgentIdentity agent = collector.issue("cab-a", kMachineA);
  const SignedReport one = collector.make_report(agent, seq(1));
  const SignedReport two = collector.make_report(agent, seq(2, one.sha256));
  ASSERT_EQ(collector.submit(one, &agent).status, 201);
  ASSERT_EQ(collector.submit(two, &agent).status, 201);
  // Replay: report 1's id again, with other bytes.
  const SignedReport replay = collector.make_report(agent, seq(1).with_id(one.report_id).with_results(4));
  auto response = collector.submit(replay, &agent);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(kinds(body_of(response)), "replay ");
  // Fork: another report with sequence 2 after the same report 1 (a restored snapshot).
  const SignedReport fork = collector.make_report(agent, seq(2, one.sha256));
  response = collector.submit(fork, &agent);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(kinds(body_of(response)), "fork ");
  // Restart: sequence 1 again without previous (state lost).
  const SignedReport restart = collector.make_report(agent, seq(1));
  response = collector.submit(restart, &agent);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(kinds(body_of(response)), "fork ");  // sequence 1 is taken: two reports with one sequence
  const SignedReport restart3 = collector.make_report(agent, seq(3));
  response = collector.submit(restart3, &agent);
  EXPECT_EQ(kinds(body_of(response)), "restart ");
  EXPECT_EQ(collector.stored_reports(), 6U);  // never a reason to lose a report
  EXPECT_NE(collector.log().find("201 stored"), std::string::npos);
}

TEST(IngestHttp, NewKeyWithoutReenrolmentIsAnIdentityChangeAndAlternationAClone) {
  Collector collector;
  const AgentIdentity first = collector.issue("cab-a", kMachineA, "cab-a");
  const AgentIdentity second = collector.issue("cab-a-copy", kMachineA, "cab-a");
  const SignedReport one = collector.make_report(first, seq(1));
  ASSERT_EQ(collector.submit(one, &first).status, 201);
  const SignedReport two = collector.make_report(second, seq(2, one.sha256));
  auto response = collector.submit(two, &second);
  EXPECT_EQ(kinds(body_of(response)), "identity_change ") << response.body;
  const SignedReport three = collector.make_report(first, seq(3, two.sha256));
  response = collector.submit(three, &first);
  EXPECT_EQ(kinds(body_of(response)), "clone ") << response.body;
}

TEST(IngestHttp, ReenrolmentIsAnExplicitRekey) {
  Collector collector;
  const AgentIdentity first = collector.issue("cab-a", kMachineA, "cab-a");
  const SignedReport one = collector.make_report(first, seq(1));
  ASSERT_EQ(collector.submit(one, &first).status, 201);
  // Re-enrolment with a token: a new key for the same machine-id.
  const Shell token = collector.cli("token create --site Port");
  ASSERT_EQ(token.exit_code, 0) << token.output;
  const std::string secret = token.output.substr(token.output.rfind('\n', token.output.size() - 2) + 1, 43);
  const AgentIdentity renewed = collector.make_csr("cab-a-renewed", kMachineA, "cab-a");
  write_file(collector.dir() / "enrol.json",
             nlohmann::json{{"token", secret}, {"csr_pem", read_file(collector.dir() / "cab-a-renewed.csr")}}.dump());
  const auto enrolled =
      collector.curl("-H 'Content-Type: application/json' --data-binary @" + quote(collector.dir() / "enrol.json") +
                     " " + quote(collector.url("/api/v1/enroll")));
  ASSERT_EQ(enrolled.status, 201) << enrolled.body;
  write_file(renewed.cert, body_of(enrolled)["certificate_pem"].get<std::string>());
  const SignedReport two = collector.make_report(renewed, seq(2, one.sha256));
  const auto response = collector.submit(two, &renewed);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(body_of(response)["chain"], "ok") << response.body;
}

}  // namespace
}  // namespace clinic_audit::collector::test
