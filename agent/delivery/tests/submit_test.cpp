// `submit` against scripted collectors on loopback (issue #12 item 4 and
// its "bad input"): order, acknowledgment, backoff, Retry-After, run-time
// cap, bounded reads, trust, proxy, rejected spool files, and kill -9.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "identity.hpp"
#include "report_files.hpp"
#include "report_store.hpp"
#include "sign_report.hpp"
#include "spool.hpp"
#include "submit.hpp"
#include "test_peers.hpp"

namespace clinic_audit::delivery {
namespace {

using namespace std::chrono_literals;
using signing::test::quote;
using signing::test::read_text;
using signing::test::write_text;
using test::FakeIngest;
using test::ScriptedCollector;
using test::ScriptedReply;

class Submit : public ::testing::Test {
 protected:
  // `count` signed reports spooled by the store, as `run --out` does with a
  // collector configured.
  void spool_reports(int count) {
    const auto identity = signing::SigningIdentity::load(pki_.agent.key, pki_.agent.cert);
    std::filesystem::create_directories(reports_);
    for (int i = 0; i < count; ++i) {
      store::StoreOptions options;
      options.reports_dir = reports_;
      options.state_dir = state_;
      options.spool = true;
      auto set = store::PendingSet::begin(options);
      const std::vector<store::RenderedReport> reports{
          {"json",
           signing::test::sample_report("json", set.sequence(), set.previous_sha256(), signing::test::random_uuid())}};
      char stamp[32];
      std::snprintf(stamp, sizeof stamp, "20261122T%06dZ", spooled_++);
      set.write("testhost", reports, stamp);
      signing::sign_report_set(identity, set.files());
      set.commit();
    }
  }
  SubmitSettings settings(const std::string& url) const {
    SubmitSettings s;
    s.collector_url = url;
    s.state_dir = state_;
    s.key = pki_.agent.key;
    s.cert = pki_.agent.cert;
    s.ca = pki_.ca.cert;
    s.retry_base = 20ms;
    s.retry_cap = 80ms;
    s.max_attempts = 3;
    s.max_run = 20s;
    s.step_timeout = 3s;
    return s;
  }
  int submit(const SubmitSettings& s) {
    out_.str("");
    err_.str("");
    return run_submit(s, out_, err_);
  }
  std::vector<std::uint64_t> spooled() const {
    std::vector<std::uint64_t> out;
    for (const auto& entry : store::Spool(state_ / "spool").entries()) out.push_back(entry.sequence);
    return out;
  }
  static std::vector<std::uint64_t> sequences(const std::vector<test::ReceivedRequest>& requests) {
    std::vector<std::uint64_t> out;
    for (const auto& request : requests) {
      out.push_back(nlohmann_sequence(request.parts.at("report")));
    }
    return out;
  }
  static std::uint64_t nlohmann_sequence(const std::string& report) {
    return signing::read_chain_fields("r.json", report).sequence;
  }

  signing::test::TempDir dir_;
  test::TestPki pki_ = test::make_pki(dir_ / "pki", "region");
  std::filesystem::path state_ = dir_ / "state";
  std::filesystem::path reports_ = dir_ / "reports";
  int spooled_ = 0;
  std::ostringstream out_, err_;
};

TEST_F(Submit, DeliversOldestFirstOnceAndEmptiesTheSpool) {
  spool_reports(5);
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t) { return ingest(request); });
  ASSERT_EQ(submit(settings(collector.url())), 0) << err_.str();
  EXPECT_EQ(ingest.stored_sequences(), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(spooled().empty());
  // Exact bytes and signature; mutual TLS with the agent's certificate.
  const auto requests = collector.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].target, "/api/v1/reports");
  EXPECT_NE(requests[0].client_subject.find("testhost"), std::string::npos) << requests[0].client_subject;
  const auto first = signing::list_report_sets(reports_).front();
  EXPECT_EQ(requests[0].parts.at("report"), read_text(first.reports.front()));
  EXPECT_EQ(requests[0].parts.at("signature"), read_text(first.signatures.front()));
  // Acknowledged reports stay in the reports directory (retention prunes them).
  EXPECT_EQ(signing::list_report_sets(reports_).size(), 5u);
  EXPECT_EQ(submit(settings(collector.url())), 0);
  EXPECT_NE(out_.str().find("nothing to submit"), std::string::npos);
}

TEST_F(Submit, StopsAtTheFirstFailureKeepingOrderAfterBackoff) {
  spool_reports(4);
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t index) -> ScriptedReply {
    if (index == 0) return ingest(request);
    return {500, R"({"error":"database is down"})", {}, "", false};
  });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(submit(settings(collector.url())), kExitTempFail) << err_.str();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{2, 3, 4}));
  // Report 2 tried max-attempts (3) times; nothing newer was sent before it.
  EXPECT_EQ(sequences(collector.requests()), (std::vector<std::uint64_t>{1, 2, 2, 2}));
  EXPECT_NE(err_.str().find("database is down"), std::string::npos) << err_.str();
  EXPECT_LT(took, 5s);
}

TEST_F(Submit, HonoursRetryAfter) {
  spool_reports(1);
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t index) -> ScriptedReply {
    if (index == 0) return {503, R"({"error":"shedding load"})", {{"Retry-After", "2"}}, "", false};
    return ingest(request);
  });
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(submit(settings(collector.url())), 0) << err_.str();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2s) << "Retry-After: 2 not waited for";
  EXPECT_EQ(ingest.stored_sequences(), (std::vector<std::uint64_t>{1}));
}

TEST_F(Submit, RunDurationIsCapped) {
  spool_reports(2);
  ScriptedCollector collector(pki_, [&](const auto&, std::size_t) -> ScriptedReply {
    return {503, "{}", {{"Retry-After", "3600"}}, "", false};
  });
  auto s = settings(collector.url());
  s.max_attempts = 1000;
  s.max_run = 3s;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(submit(s), kExitTempFail);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_NE(err_.str().find("run's limit"), std::string::npos) << err_.str();
  EXPECT_EQ(spooled().size(), 2u);
}

struct BadAnswer {
  const char* name;
  ScriptedReply reply;
  int exit_code;
  const char* said;
};
void PrintTo(const BadAnswer& c, std::ostream* os) { *os << c.name; }

class SubmitBadAnswer : public Submit, public ::testing::WithParamInterface<BadAnswer> {};

// Nothing but a valid acknowledgment removes a report.
TEST_P(SubmitBadAnswer, KeepsTheSpool) {
  spool_reports(2);
  ScriptedCollector collector(pki_, [&](const auto&, std::size_t) { return GetParam().reply; });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(submit(settings(collector.url())), GetParam().exit_code) << err_.str();
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_NE(err_.str().find(GetParam().said), std::string::npos) << err_.str();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

INSTANTIATE_TEST_SUITE_P(
    Answers, SubmitBadAnswer,
    ::testing::Values(
        BadAnswer{
            "garbage", {0, "", {}, "\x01\x02 not HTTP at all\r\n\r\n", false}, kExitTempFail, "did not answer HTTP"},
        BadAnswer{"ok_without_body", {200, "", {}, "", false}, kExitTempFail, "without a body"},
        BadAnswer{"created_not_json", {201, "<html>stored</html>", {}, "", false}, kExitTempFail, "not a JSON object"},
        BadAnswer{"created_other_report",
                  {201, R"({"status":"stored","report_id":"other","sequence":1})", {}, "", false},
                  kExitTempFail,
                  "another report_id"},
        BadAnswer{"created_naming_nothing",
                  {201, R"({"status":"stored"})", {}, "", false},
                  kExitTempFail,
                  "without the \"report_id\" and \"sequence\""},
        BadAnswer{"redirect",
                  {302, "", {{"Location", "https://127.0.0.1:1/elsewhere"}}, "", false},
                  kExitDataError,
                  "not followed"},
        BadAnswer{"huge_body", {201, std::string(8 << 20, 'x'), {}, "", false}, kExitTempFail, "bytes: not read"},
        BadAnswer{"forbidden", {403, R"({"error":"host mismatch"})", {}, "", false}, kExitNoPermission, "host mismatch"},
        BadAnswer{"not_found", {404, "", {}, "", false}, kExitDataError, "no ingest API"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(Submit, CollectorWithAnotherCaIsRefusedAndTheSpoolKept) {
  spool_reports(2);
  const test::TestPki other = test::make_pki(dir_ / "other", "impostor", /*agent=*/false);
  FakeIngest ingest;
  ScriptedCollector collector(
      other, [&](const auto& request, std::size_t) { return ingest(request); },
      /*require_client_cert=*/false);
  EXPECT_EQ(submit(settings(collector.url())), kExitNoPermission);
  EXPECT_NE(err_.str().find("not trusted"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find(pki_.ca.cert.string()), std::string::npos) << err_.str();
  EXPECT_TRUE(collector.requests().empty()) << "a report was sent to an untrusted collector";
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{1, 2}));
}

TEST_F(Submit, UnreachableCollectorKeepsTheSpool) {
  spool_reports(1);
  EXPECT_EQ(submit(settings("https://127.0.0.1:" + std::to_string(test::closed_port()))), kExitTempFail);
  EXPECT_NE(err_.str().find("cannot connect"), std::string::npos) << err_.str();
  EXPECT_EQ(spooled(), (std::vector<std::uint64_t>{1}));
}

TEST_F(Submit, EditedOrTruncatedSpoolFilesAreSetAsideNeverSent) {
  spool_reports(3);
  const auto entries = store::Spool(state_ / "spool").entries();
  // Report 1 edited by hand (a hard link: the reports directory's copy is
  // the same file, as it would be); report 2's signature truncated.
  std::string edited = read_text(entries[0].report);
  edited[edited.find("testhost")] = 'T';
  std::filesystem::remove(entries[0].report);
  write_text(entries[0].report, edited);
  const std::string signature = read_text(entries[1].signature);
  std::filesystem::remove(entries[1].signature);
  write_text(entries[1].signature, signature.substr(0, signature.size() / 2));
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t) { return ingest(request); });
  EXPECT_EQ(submit(settings(collector.url())), kExitDataError) << err_.str();
  EXPECT_EQ(ingest.stored_sequences(), (std::vector<std::uint64_t>{3}));
  EXPECT_TRUE(spooled().empty());
  const auto rejected = state_ / "spool" / "rejected";
  EXPECT_TRUE(std::filesystem::exists(rejected / entries[0].report.filename()));
  EXPECT_TRUE(std::filesystem::exists(rejected / entries[1].signature.filename()));
  EXPECT_NE(read_text(rejected / (entries[0].report.filename().string() + ".reason")).find("does not match"),
            std::string::npos);
  EXPECT_NE(err_.str().find(entries[1].name), std::string::npos) << err_.str();
}

// A spooled report whose signature was deleted (by hand, a damaged disk)
// was never acknowledged: it is set aside with the reason, not dropped as
// an interrupted removal would be (spool.hpp), and the next one is sent.
TEST_F(Submit, ReportWhoseSignatureIsGoneIsSetAsideNotDropped) {
  spool_reports(2);
  const auto entries = store::Spool(state_ / "spool").entries();
  std::filesystem::remove(entries[0].signature);
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t) { return ingest(request); });
  EXPECT_EQ(submit(settings(collector.url())), kExitDataError) << err_.str();
  EXPECT_EQ(ingest.stored_sequences(), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(spooled().empty());
  const auto rejected = state_ / "spool" / "rejected";
  ASSERT_TRUE(std::filesystem::exists(rejected / entries[0].report.filename()));
  EXPECT_NE(read_text(rejected / (entries[0].report.filename().string() + ".reason")).find("missing"),
            std::string::npos);
  EXPECT_NE(err_.str().find(entries[0].name), std::string::npos) << err_.str();
  // Nothing of it is left in the spool for a later run to drop silently.
  EXPECT_TRUE(store::Spool(state_ / "spool").unsigned_entries().empty());
  EXPECT_FALSE(std::filesystem::exists(entries[0].report));
}

TEST_F(Submit, GoesThroughAnHttpsProxyWithConnect) {
  spool_reports(2);
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t) { return ingest(request); });
  test::ConnectProxy proxy;
  auto s = settings(collector.url());
  s.proxy = proxy.url();
  ASSERT_EQ(submit(s), 0) << err_.str();
  EXPECT_EQ(ingest.stored_sequences(), (std::vector<std::uint64_t>{1, 2}));
  ASSERT_FALSE(proxy.targets().empty());
  EXPECT_EQ(proxy.targets().front(), "127.0.0.1:" + std::to_string(collector.port()));
}

TEST_F(Submit, HttpsProxyFromTheEnvironment) {
  spool_reports(1);
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t) { return ingest(request); });
  test::ConnectProxy proxy;
  ::setenv("https_proxy", proxy.url().c_str(), 1);
  const int code = submit(settings(collector.url()));
  ::unsetenv("https_proxy");
  ASSERT_EQ(code, 0) << err_.str();
  EXPECT_EQ(proxy.targets().size(), 1u);
}

// kill -9 of `submit` (the real binary) between the acknowledgment and the
// removal of the spool entry: the next submit resends, the collector answers
// "duplicate", nothing is lost and nothing is stored twice.
TEST_F(Submit, KilledSubmitLosesNothingAndStoresNothingTwice) {
  spool_reports(5);
  FakeIngest ingest;
  ScriptedCollector collector(pki_, [&](const auto& request, std::size_t) { return ingest(request); });
  std::filesystem::copy_file(pki_.ca.cert, pki_.agent.cert.parent_path() / "ca.crt",
                             std::filesystem::copy_options::overwrite_existing);
  const auto config = dir_ / "agent.conf";
  write_text(config, "<agent-config xmlns=\"urn:clinic-audit:config:1\"><collector url=\"" + collector.url() +
                         "\" retry-base-ms=\"10\" retry-cap-ms=\"50\" max-attempts=\"2\" timeout-seconds=\"3\"/>"
                         "<signing key=\"" +
                         pki_.agent.key.string() + "\" cert=\"" + pki_.agent.cert.string() + "\"/></agent-config>\n");
  auto run_submit_binary = [&](const std::string& crash_at) {
    return signing::test::run_shell((crash_at.empty() ? "" : "CLINIC_AUDIT_CRASH_AT=" + quote(crash_at) + " ") +
                                    quote(CA_AGENT_BINARY) + " submit --quiet --config " + quote(config) +
                                    " --state-dir " + quote(state_));
  };
  // 1 acknowledged, killed once its removal was marked; 2 acknowledged,
  // killed with its signature removed; 3 acknowledged, killed before its
  // removal began (resent: a duplicate); 3 again, killed once removed but
  // for the marker; then the rest.
  for (const char* point :
       {"spool-remove:acknowledged", "spool-remove:signature", "submit:acknowledged", "spool-remove:report"}) {
    const auto killed = run_submit_binary(point);
    EXPECT_EQ(killed.exit_code, 128 + 9) << point << ": " << killed.output;
  }
  const auto last = run_submit_binary("");
  EXPECT_EQ(last.exit_code, 0) << last.output;
  EXPECT_EQ(ingest.stored_sequences(), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(ingest.duplicates(), 1u);
  EXPECT_TRUE(spooled().empty());
  std::size_t left = 0;
  for (const auto& entry : std::filesystem::directory_iterator(state_ / "spool"))
    left += entry.is_regular_file() ? 1u : 0u;
  EXPECT_EQ(left, 0u);
}

}  // namespace
}  // namespace clinic_audit::delivery
