// Scale-out on PostgreSQL (issue #11 item 7): two collector processes on one
// database receive the same host's reports concurrently, and the same report
// twice at once: each is stored exactly once with a consistent chain.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "collector_harness.hpp"
#include "postgres_test_cluster.hpp"

namespace clinic_audit::collector::test {
namespace {

const std::string kMachine = "cccccccccccccccccccccccccccccccc";

TEST(PostgresCollectors, SameReportTwiceAtOnceIsStoredOnceWithAConsistentChain) {
  const std::string url = fresh_postgres_database();
  const std::string database =
      "<database url=\"" + url.substr(0, url.find('&')) + "&amp;" + url.substr(url.find('&') + 1) + "\"/>";
  {
    Collector first(database);
    Collector second(database, true, &first);
    const AgentIdentity agent = first.issue("cab-c", kMachine);
    std::vector<SignedReport> chain;
    std::optional<std::string> previous;
    for (std::uint64_t sequence = 1; sequence <= 24; ++sequence) {
      chain.push_back(first.make_report(agent, seq(sequence, previous)));
      previous = chain.back().sha256;
    }
    // Phase 1: every report to both collectors at the same moment.
    for (std::size_t i = 0; i < 12; ++i) {
      auto a = std::async(std::launch::async, [&] { return first.submit(chain[i], &agent).status; });
      auto b = std::async(std::launch::async, [&] { return second.submit(chain[i], &agent).status; });
      const int sa = a.get(), sb = b.get();
      EXPECT_TRUE((sa == 201 && sb == 200) || (sa == 200 && sb == 201)) << i << ": " << sa << " " << sb;
    }
    // Phase 2: consecutive reports of one host to the two collectors at once
    // (the later may be judged first: a gap, then filled by the earlier).
    for (std::size_t i = 12; i + 1 < chain.size(); i += 2) {
      auto a = std::async(std::launch::async, [&] { return first.submit(chain[i], &agent).status; });
      auto b = std::async(std::launch::async, [&] { return second.submit(chain[i + 1], &agent).status; });
      EXPECT_EQ(a.get(), 201);
      EXPECT_EQ(b.get(), 201);
    }
    EXPECT_EQ(first.stored_reports(), chain.size());
    EXPECT_EQ(second.stored_reports(), chain.size());
    // Consistent: no fork, no replay, no open gap; verify re-derives the same chain.
    const Shell history = first.cli("export --history --format json");
    const auto rows = nlohmann::json::parse(history.output);
    ASSERT_EQ(rows.size(), chain.size());
    for (const auto& row : rows) {
      const std::string anomalies = row["anomalies"].get<std::string>();
      EXPECT_TRUE(anomalies.empty() ||
                  (anomalies.rfind("gap:", 0) == 0 && anomalies.find("(resolved)") != std::string::npos))
          << row.dump();
    }
    std::string output;
    EXPECT_TRUE(second.verify_passes(&output)) << output;
  }
  drop_postgres_database(url);
}

}  // namespace
}  // namespace clinic_audit::collector::test
