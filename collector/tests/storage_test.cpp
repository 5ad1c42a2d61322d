// The storage test suite every Storage implementation must pass (STYLE.md
// §10). Instantiated for SQLite here; postgres_storage_test.cpp runs the
// same suite on a PostgreSQL started for the test.
#include "storage_test_suite.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>
#include <vector>

#include "sqlite_storage.hpp"
#include "temp_dir.hpp"

namespace clinic_audit::collector::test {
namespace {

class SqliteFactory : public StorageFactory {
 public:
  std::unique_ptr<Storage> make() override { return std::make_unique<SqliteStorage>(dir_.path() / "c.db"); }
  std::string url() const override { return "sqlite:" + (dir_.path() / "c.db").string(); }

 private:
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageSuite, testing::Values(FactoryMaker([] {
                           return std::unique_ptr<StorageFactory>(new SqliteFactory);
                         })),
                         [](const testing::TestParamInfo<FactoryMaker>&) { return std::string("sqlite"); });

TEST(SqliteStorage, UsesWriteAheadLogging) {
  TempDir dir;
  {
    SqliteStorage storage(dir.path() / "w.db");
    storage.migrate();
  }
  sqlite::Connection db((dir.path() / "w.db").string());
  sqlite::Statement s(db, "PRAGMA journal_mode");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "wal");
}

// Group commit and a crash (kill -9) while a batch is being written: the
// reports of that batch were written into the transaction but not
// committed; none of them was acknowledged and none is in the database
// after the crash, while every report acknowledged before is.
TEST(SqliteStorage, KilledInTheMiddleOfABatchKeepsExactlyTheAcknowledgedReports) {
  TempDir dir;
  const auto path = dir.path() / "k.db";
  SqliteStorage(path).migrate();
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(acks[0]);
    SqliteStorage storage(path);
    std::atomic<bool> first_batch_started{false};
    // The first report holds the writer until 20 more are queued behind
    // it; the 10th of those (the second batch) kills the process.
    auto judge = [&](const ChainHistory&, const IncomingReport& in) -> Judgement {
      if (in.row.sha256 == "k-first") {
        first_batch_started = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      if (in.row.sha256 == "k-10") raise(SIGKILL);
      return {};
    };
    auto acknowledge = [&](std::optional<IngestResult> result, std::exception_ptr error) {
      if (error || !result) return;
      const std::string line = result->row.sha256 + "\n";
      if (write(acks[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
    };
    std::vector<std::thread> threads;
    threads.emplace_back([&] {
      storage.ingest_async(std::make_shared<IncomingReport>(make_incoming("k0", 1, "k-first", 1)), judge, 1,
                           acknowledge);
    });
    while (!first_batch_started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (int i = 1; i <= 20; ++i) {
      threads.emplace_back([&, i] {
        storage.ingest_async(std::make_shared<IncomingReport>(
                                 make_incoming("k" + std::to_string(i), 1, "k-" + std::to_string(i), 1)),
                             judge, 1, acknowledge);
      });
    }
    for (auto& thread : threads) thread.join();
    _exit(0);  // not reached: k-10 kills the process
  }
  close(acks[1]);
  std::string acknowledged;
  char buffer[256];
  for (ssize_t n; (n = read(acks[0], buffer, sizeof buffer)) > 0;)
    acknowledged.append(buffer, static_cast<std::size_t>(n));
  close(acks[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_EQ(acknowledged, "k-first\n");

  SqliteStorage after(path);
  EXPECT_EQ(after.report_count(), 1U);
  ASSERT_TRUE(after.report_by_report_id("id-k-first"));
  for (int i = 1; i <= 20; ++i) EXPECT_FALSE(after.report_by_report_id("id-k-" + std::to_string(i))) << i;
  // And the database still takes reports.
  EXPECT_EQ(after.ingest(make_incoming("k1", 1, "k-1", 1), no_anomaly, 2).status, IngestStatus::stored);
}

}  // namespace
}  // namespace clinic_audit::collector::test
