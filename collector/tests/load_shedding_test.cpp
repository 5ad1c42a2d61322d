// 503 + Retry-After through a real collector (issue #11 item 4): when
// <limits pending-ingests> reports are already being ingested, or the
// database stays busy beyond its timeout, the collector answers 503 with
// Retry-After at once instead of queueing without bound; nothing it
// acknowledged is lost and the refused reports are stored when resent.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "collector_harness.hpp"

namespace clinic_audit::collector::test {
namespace {

const std::string kMachine = "dddddddddddddddddddddddddddddddd";

struct Answer {
  int status = 0;
  std::string headers, body;
  double seconds = 0;
};

// Stock curl, like Collector::submit, but with its own output files so
// several run at once.
Answer submit(const Collector& collector, const SignedReport& report, const AgentIdentity& agent,
              const std::string& tag) {
  const auto body = collector.dir() / ("shed-" + tag + ".body");
  const auto headers = collector.dir() / ("shed-" + tag + ".headers");
  const auto started = std::chrono::steady_clock::now();
  const Shell result = sh("curl -sS --max-time 30 --cacert " + quote(collector.ca_cert()) + " --cert " +
                          quote(agent.cert) + " --key " + quote(agent.key) + " -o " + quote(body) + " -D " +
                          quote(headers) + " -w '%{http_code}' -F report=@" + quote(report.report) + " -F signature=@" +
                          quote(report.signature) + " " + quote(collector.url("/api/v1/reports")));
  Answer answer;
  answer.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  answer.status = result.exit_code == 0 ? std::stoi(result.output) : 0;
  if (std::filesystem::exists(body)) answer.body = read_file(body);
  if (std::filesystem::exists(headers)) answer.headers = read_file(headers);
  return answer;
}

bool has_retry_after(const Answer& answer) {
  return answer.headers.find("Retry-After: ") != std::string::npos ||
         answer.headers.find("retry-after: ") != std::string::npos;
}

TEST(CollectorLoadShedding, QueueFullAndBusyDatabaseAnswer503WithRetryAfterAndLoseNothing) {
  Collector collector("<limits pending-ingests=\"1\"/>");
  const AgentIdentity agent = collector.issue("cab-s", kMachine);
  const SignedReport first = collector.make_report(agent, seq(1));
  ASSERT_EQ(submit(collector, first, agent, "1").status, 201) << collector.log();
  const SignedReport second = collector.make_report(agent, seq(2, first.sha256));
  const SignedReport third = collector.make_report(agent, seq(3, second.sha256));

  // Another process holds SQLite's write lock for 8 s (longer than the
  // collector's 5 s busy timeout): an ingest waits, then gives up.
  const auto database = collector.dir() / "data" / "collector.db";
  const auto locked = collector.dir() / "locked";
  sh("(printf 'BEGIN IMMEDIATE;\\n.shell touch " + quote(locked) + "\\n'; sleep 8; printf 'COMMIT;\\n') | sqlite3 " +
     quote(database) + " >/dev/null 2>&1 &");
  for (int i = 0; i < 100 && !std::filesystem::exists(locked); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(std::filesystem::exists(locked)) << "sqlite3 did not take the write lock";

  // Report 2 is being ingested (waiting for the lock): report 3 finds the
  // one pending ingest allowed and is refused at once.
  Answer busy;
  std::thread waiting([&] { busy = submit(collector, second, agent, "2"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const Answer full = submit(collector, third, agent, "3");
  waiting.join();

  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_TRUE(has_retry_after(full)) << full.headers;
  EXPECT_NE(full.body.find("too many reports being ingested"), std::string::npos) << full.body;
  EXPECT_LT(full.seconds, 3.0);  // refused at once, not queued behind the lock
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_TRUE(has_retry_after(busy)) << busy.headers;
  EXPECT_NE(busy.body.find("storage busy"), std::string::npos) << busy.body;

  // The lock gone, the agent resends what was refused: both stored, in
  // order, the chain intact; the report acknowledged before is still there.
  for (int i = 0; i < 100 && sh("sqlite3 " + quote(database) + " 'BEGIN IMMEDIATE; ROLLBACK;'").exit_code != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(submit(collector, second, agent, "2b").status, 201);
  const Answer resent = submit(collector, third, agent, "3b");
  EXPECT_EQ(resent.status, 201) << resent.body;
  EXPECT_NE(resent.body.find("\"chain\":\"ok\""), std::string::npos) << resent.body;
  EXPECT_EQ(submit(collector, first, agent, "1b").status, 200);
  EXPECT_EQ(collector.stored_reports(), 3U);
  std::string output;
  EXPECT_TRUE(collector.verify_passes(&output)) << output;
  EXPECT_TRUE(collector.alive());
}

}  // namespace
}  // namespace clinic_audit::collector::test
