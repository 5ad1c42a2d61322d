// The storage conformance suite on PostgreSQL (issue #11 item 6: the same
// test suite runs on both), against the private cluster that the CTest
// fixture collector.postgres.start (pg_test_cluster.sh) runs.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>

#include "ingest_service.hpp"
#include "postgres_db.hpp"
#include "postgres_storage.hpp"
#include "postgres_test_cluster.hpp"
#include "storage_test_suite.hpp"

namespace clinic_audit::collector::test {
namespace {

class PostgresFactory : public StorageFactory {
 public:
  PostgresFactory() : url_(fresh_postgres_database()) {}
  ~PostgresFactory() override { drop_postgres_database(url_); }
  std::unique_ptr<Storage> make() override { return std::make_unique<PostgresStorage>(url_); }
  std::string url() const override { return url_; }

 private:
  std::string url_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, StorageSuite, testing::Values(FactoryMaker([] {
                           return std::unique_ptr<StorageFactory>(new PostgresFactory);
                         })),
                         [](const testing::TestParamInfo<FactoryMaker>&) { return std::string("postgres"); });

TEST(PostgresStorage, WrongUrlIsUnavailableWithoutThePassword) {
  try {
    PostgresStorage storage("postgresql://user:s3cret@127.0.0.1:1/nothing?connect_timeout=2");
    FAIL() << "connected to nothing";
  } catch (const StorageUnavailable& error) {
    EXPECT_EQ(std::string(error.what()).find("s3cret"), std::string::npos) << error.what();
  }
}

// Report bytes large enough for TOAST are compressed with lz4
// (postgres_db.cpp: default_toast_compression), and come back exactly.
TEST(PostgresStorage, ReportBytesAreCompressedWithLz4AndReadBackExactly) {
  PostgresFactory factory;
  auto storage = factory.make();
  storage->migrate();
  IncomingReport in = make_incoming("lz", 1, "lz-1", 1);
  in.blob.bytes.clear();
  for (int i = 0; i < 1000; ++i) in.blob.bytes += "{\"check\": \"apicrypt-v1.check-" + std::to_string(i % 20) + "\"}\n";
  const IngestResult stored = storage->ingest(in, no_anomaly, 1);
  pg::Connection db(factory.url());
  const pg::Result method =
      db.exec("SELECT pg_column_compression(bytes) FROM reports WHERE id = $1", pg::Params().integer(stored.row.id));
  ASSERT_EQ(method.rows(), 1);
  EXPECT_EQ(method.text(0, 0), "lz4");
  const auto blob = storage->report_blob(stored.row.id);
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->bytes, in.blob.bytes);
}

// Group commit with two collectors (issue #11 item 7): two PostgresStorage
// objects (two processes' worth of connections) receive the same 120
// reports of 24 hosts at once, in opposite host orders, each through
// ingest_async (batches of many hosts per transaction). Their batches
// lock shared hosts in one order: none deadlocks or fails, each report is
// stored exactly once and answered "duplicate" to the other, and the chains
// (each host's reports sent in order by both) come out without anomaly.
TEST(PostgresStorage, TwoCollectorsBatchingTheSameHostsStoreEachReportOnce) {
  PostgresFactory factory;
  auto first = factory.make();
  first->migrate();
  auto second = factory.make();
  constexpr int kHosts = 24, kReports = 5;
  std::vector<std::shared_ptr<IncomingReport>> reports;  // host-major, in sequence order
  for (int h = 0; h < kHosts; ++h) {
    std::optional<std::string> previous;
    for (int n = 1; n <= kReports; ++n) {
      const std::string sha = "g" + std::to_string(h) + "-" + std::to_string(n);
      auto in = std::make_shared<IncomingReport>(
          make_incoming("gm" + std::to_string(h), static_cast<std::uint64_t>(n), sha, n));
      in->row.previous_sha256 = previous;
      previous = sha;
      reports.push_back(std::move(in));
    }
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::vector<std::string>> outcomes;  // sha -> one outcome per collector
  int answered = 0;
  // Each collector sends a host's next report once its previous one is
  // answered (as an agent does), so a chain is never sent out of order.
  auto send = [&](Storage& storage, int host, int n, auto& self) -> void {
    const auto& in = reports[static_cast<std::size_t>(host * kReports + n - 1)];
    storage.ingest_async(in, judge_chain, n,
                         [&, host, n, sha = in->row.sha256](std::optional<IngestResult> result,
                                                            const std::exception_ptr& error) {
                           std::string outcome = "error";
                           if (!error && result) {
                             outcome = result->status == IngestStatus::duplicate ? "duplicate"
                                       : result->row.chain == "ok"               ? "stored"
                                                                                 : "anomaly";
                           }
                           {
                             const std::lock_guard lock(mutex);
                             outcomes[sha].push_back(outcome);
                             ++answered;
                           }
                           changed.notify_all();
                           if (n < kReports) self(storage, host, n + 1, self);
                         });
  };
  for (int h = 0; h < kHosts; ++h) {
    send(*first, h, 1, send);
    send(*second, kHosts - 1 - h, 1, send);
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(60), [&] { return answered == 2 * kHosts * kReports; }))
        << answered << " answered";
  }
  first->drain();
  second->drain();
  for (const auto& in : reports) {
    auto got = outcomes[in->row.sha256];
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<std::string>{"duplicate", "stored"})) << in->row.sha256;
  }
  EXPECT_EQ(first->report_count(), static_cast<std::size_t>(kHosts * kReports));
  // No batch had to be undone (no deadlock between the two collectors).
  EXPECT_EQ(dynamic_cast<PostgresStorage&>(*first).batches_written_singly(), 0U);
  EXPECT_EQ(dynamic_cast<PostgresStorage&>(*second).batches_written_singly(), 0U);
  EXPECT_TRUE(first->anomalies({}).empty());
}

}  // namespace
}  // namespace clinic_audit::collector::test
