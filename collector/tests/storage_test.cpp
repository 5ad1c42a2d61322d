// The storage test suite every Storage implementation must pass (STYLE.md
// §10). Instantiated for SQLite here; postgres_storage_test.cpp runs the
// same suite on a PostgreSQL started for the test.
#include "storage_test_suite.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "sqlite_history.hpp"
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

// The links the judge gets (sqlite_history.cpp: five statements) are the
// very links the one UNION statement this store used before gave, in the
// same order, on chains with gaps, forks, replays (a report id again),
// restarts and previous hashes naming any report, for incoming reports at,
// around and beyond every stored sequence.
std::vector<ChainLink> links_in_one_statement(sqlite::Connection& db, const ReportRow& in) {
  static const char* const kUnion =
      "SELECT id, report_id, sequence, previous_sha256, sha256, signer_fingerprint, received_at FROM reports "
      "WHERE id IN (SELECT id FROM reports WHERE machine_id = ?1 AND sequence BETWEEN ?2 AND ?3 "
      "UNION SELECT id FROM reports WHERE report_id = ?4 AND machine_id = ?1 "
      "UNION SELECT id FROM reports WHERE sha256 = ?5 AND machine_id = ?1 "
      "UNION SELECT * FROM (SELECT id FROM reports WHERE machine_id = ?1 ORDER BY sequence DESC, id DESC LIMIT 1) "
      "UNION SELECT * FROM (SELECT id FROM reports WHERE machine_id = ?1 ORDER BY sequence ASC, id ASC LIMIT 1)) "
      "ORDER BY sequence, id";
  const auto sequence = static_cast<std::int64_t>(in.sequence);
  sqlite::Statement s(db, kUnion);
  s.bind(1, in.machine_id).bind(2, sequence - 1).bind(3, sequence + 1).bind(4, in.report_id);
  s.bind(5, in.previous_sha256);
  std::vector<ChainLink> links;
  while (s.step()) {
    links.push_back({s.integer(0), s.text(1), static_cast<std::uint64_t>(s.integer(2)), s.optional_text(3), s.text(4),
                     s.text(5), s.integer(6)});
  }
  return links;
}

TEST(SqliteHistory, LinksAreThoseOfTheOneStatementUnion) {
  TempDir dir;
  const auto path = dir.path() / "h.db";
  std::mt19937 random(7);
  std::vector<std::string> shas, report_ids;
  {
    SqliteStorage storage(path);
    storage.migrate();
    for (int host = 0; host < 4; ++host) {
      const std::string machine = "h" + std::to_string(host);
      std::optional<std::string> previous;
      for (int n = 0; n < 30; ++n) {
        // Mostly in order, with gaps, forks (a sequence again), restarts.
        std::uint64_t sequence = static_cast<std::uint64_t>(n + 1 + (n > 10 ? 3 : 0) - (n % 9 == 8 ? 2 : 0));
        if (n == 20) sequence = 1;
        const std::string sha = machine + "-s" + std::to_string(n);
        // Every seventh report reuses a report id (a replay).
        const std::string report_id = n % 7 == 6 ? report_ids[random() % report_ids.size()] : "id-" + sha;
        IncomingReport in = make_incoming(machine, sequence, sha, n, report_id);
        in.row.previous_sha256 = n == 20 ? std::nullopt : previous;
        if (n % 5 == 4 && !shas.empty()) in.row.previous_sha256 = shas[random() % shas.size()];
        ASSERT_EQ(storage.ingest(in, no_anomaly, n).status, IngestStatus::stored);
        previous = sha;
        shas.push_back(sha);
        report_ids.push_back(report_id);
      }
    }
  }
  sqlite::Connection db(path.string());
  int compared = 0;
  for (int host = 0; host < 5; ++host) {  // h4: a host with no report
    for (std::uint64_t sequence = 1; sequence <= 40; ++sequence) {
      for (int variant = 0; variant < 4; ++variant) {
        ReportRow in;
        in.machine_id = "h" + std::to_string(host);
        in.sequence = sequence;
        in.report_id = variant == 1 ? report_ids[random() % report_ids.size()] : "id-new";
        in.previous_sha256 = variant == 3 ? std::string("not-stored") : shas[random() % shas.size()];
        const auto fast = sqlite::load_chain_links(db, in);
        const auto reference = links_in_one_statement(db, in);
        ASSERT_EQ(fast.size(), reference.size()) << in.machine_id << " " << sequence << " " << variant;
        for (std::size_t i = 0; i < fast.size(); ++i) {
          EXPECT_EQ(fast[i].id, reference[i].id);
          EXPECT_EQ(fast[i].report_id, reference[i].report_id);
          EXPECT_EQ(fast[i].sequence, reference[i].sequence);
          EXPECT_EQ(fast[i].previous_sha256, reference[i].previous_sha256);
          EXPECT_EQ(fast[i].sha256, reference[i].sha256);
          EXPECT_EQ(fast[i].signer_fingerprint, reference[i].signer_fingerprint);
          EXPECT_EQ(fast[i].received_at, reference[i].received_at);
        }
        compared += fast.empty() ? 0 : 1;
      }
    }
  }
  EXPECT_GT(compared, 500);  // the comparison saw links, not only empty sets
}

// A batch in which one report's ingest throws (here its judge): the batch
// is rolled back and written again report by report, so every other
// report of it is stored once, with the chain judgement a batch-less
// ingest gives, and only the failing one is refused.
TEST(SqliteStorage, OneFailingReportOfABatchLeavesTheOthersStored) {
  TempDir dir;
  SqliteStorage storage(dir.path() / "f.db");
  storage.migrate();
  std::atomic<bool> first_started{false};
  std::atomic<int> queued{0};
  auto judge = [&](const ChainHistory& history, const IncomingReport& in) -> Judgement {
    if (in.row.sha256 == "f-first") {
      first_started = true;
      // Hold the writer until the 20 others are queued: they form one batch.
      while (queued.load() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (in.row.sha256 == "f-9") throw std::runtime_error("judge refused f-9");
    Judgement judgement;
    // A second report of a host whose first is in the same batch sees it.
    if (in.row.sequence == 2 && history.links.empty()) judgement.anomalies.push_back({"gap", "first not seen", 1, 1});
    return judgement;
  };
  std::mutex mutex;
  std::map<std::string, std::string> outcome;  // sha256 -> "stored" | "duplicate" | error text
  std::atomic<int> done{0};
  auto record = [&](const std::string& sha) {
    return [&, sha](std::optional<IngestResult> result, const std::exception_ptr& error) {
      std::string text;
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          text = e.what();
        }
      } else {
        text =
            result->status == IngestStatus::stored ? (result->row.chain == "ok" ? "stored" : "anomaly") : "duplicate";
      }
      const std::lock_guard lock(mutex);
      outcome[sha] = text;
      ++done;
    };
  };
  std::thread first([&] {
    storage.ingest_async(std::make_shared<IncomingReport>(make_incoming("f0", 1, "f-first", 1)), judge, 1,
                         record("f-first"));
  });
  while (!first_started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int i = 1; i <= 20; ++i) {
    // Hosts f1..f10, two reports each (sequence 1 then 2, chained).
    const std::string host = "f" + std::to_string((i + 1) / 2);
    IncomingReport in = make_incoming(host, i % 2 == 1 ? 1 : 2, "f-" + std::to_string(i), i);
    if (i % 2 == 0) in.row.previous_sha256 = "f-" + std::to_string(i - 1);
    storage.ingest_async(std::make_shared<IncomingReport>(std::move(in)), judge, 1, record("f-" + std::to_string(i)));
    ++queued;
  }
  first.join();
  storage.drain();
  ASSERT_EQ(done.load(), 21);
  EXPECT_EQ(outcome["f-first"], "stored");
  EXPECT_EQ(outcome["f-9"], "judge refused f-9");
  for (int i = 1; i <= 20; ++i) {
    if (i == 9) continue;
    // f-10 follows the refused f-9: its host has no report yet (an anomaly).
    EXPECT_EQ(outcome["f-" + std::to_string(i)], i == 10 ? "anomaly" : "stored") << i;
  }
  EXPECT_EQ(storage.report_count(), 20U);
  EXPECT_FALSE(storage.report_by_report_id("id-f-9"));
}

// A reader in the WAL (a long `export`, the dashboard) while the WAL passes
// the writer's limit: the writer's own checkpoint copies what it can and
// does not wait for the reader (a RESTART checkpoint would, up to the busy
// timeout of 5 s, after every batch, holding up every ingest meanwhile).
TEST(SqliteStorage, AReaderInTheWalDoesNotHoldUpIngests) {
  TempDir dir;
  const auto path = dir.path() / "r.db";
  SqliteStorage storage(path, 8);
  storage.migrate();
  ASSERT_EQ(storage.ingest(make_incoming("r0", 1, "r-0", 0), no_anomaly, 0).status, IngestStatus::stored);
  sqlite::Connection reader(path.string());
  reader.exec("BEGIN");
  {
    sqlite::Statement count(reader, "SELECT count(*) FROM reports");
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.integer(0), 1);
  }
  const auto began = std::chrono::steady_clock::now();
  for (int i = 1; i <= 40; ++i) {
    IncomingReport in = make_incoming("r" + std::to_string(i), 1, "r-" + std::to_string(i), i);
    in.blob.bytes.assign(40000, 'r');
    ASSERT_EQ(storage.ingest(in, no_anomaly, i).status, IngestStatus::stored);
  }
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_GT(storage.writer_checkpoints(), 0U);  // the limit was passed while the reader was there
  EXPECT_LT(took, std::chrono::seconds(20)) << "ingests waited for the reader";
  {
    // The reader still sees its snapshot.
    sqlite::Statement count(reader, "SELECT count(*) FROM reports");
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.integer(0), 1);
  }
  reader.exec("COMMIT");
  EXPECT_EQ(storage.report_count(), 41U);
}

// Checkpoints run on their own thread (sqlite_checkpointer.hpp), and the
// WAL stays bounded even when the writer never pauses long.
TEST(SqliteStorage, CheckpointsOffTheWritersThreadAndKeepsTheWalBounded) {
  TempDir dir;
  const auto path = dir.path() / "c.db";
  constexpr int kFrames = 8;  // a checkpoint every 8 pages of 16 KiB
  SqliteStorage storage(path, kFrames);
  storage.migrate();
  for (int i = 0; i < 150; ++i) {
    IncomingReport in =
        make_incoming("c" + std::to_string(i % 3), static_cast<std::uint64_t>(i / 3) + 1, "c-" + std::to_string(i), i);
    in.blob.bytes.assign(40000, static_cast<char>('a' + i % 26));  // three overflow pages
    ASSERT_EQ(storage.ingest(in, no_anomaly, i).status, IngestStatus::stored);
  }
  EXPECT_GT(storage.background_checkpoints(), 0U);
  // Without checkpoints the WAL would hold the 150 reports (6 MB); the
  // writer's own limit is 4 x kFrames frames, plus the last transaction.
  const auto wal = std::filesystem::file_size(path.string() + "-wal");
  EXPECT_LT(wal, 6U * kFrames * (16384 + 24) + 32) << wal;
  // The checkpointed pages are in the database file itself.
  EXPECT_GT(std::filesystem::file_size(path), 100U * 40000);
  EXPECT_EQ(storage.report_count(), 150U);
}

// The pages a checkpoint appended to the database file leave the page
// cache once synced (sqlite_page_cache.hpp): mincore(2) on a mapping of the
// file counts them. Every report is still read back whole from the disk.
TEST(SqliteStorage, AppendedPagesLeaveThePageCacheAfterTheirCheckpoint) {
  TempDir dir;
  const auto path = dir.path() / "c.db";
  constexpr int kFrames = 8;
  SqliteStorage storage(path, kFrames);
  storage.migrate();
  for (int i = 0; i < 150; ++i) {
    IncomingReport in =
        make_incoming("d" + std::to_string(i % 3), static_cast<std::uint64_t>(i / 3) + 1, "d-" + std::to_string(i), i);
    in.blob.bytes.assign(40000, static_cast<char>('a' + i % 26));
    ASSERT_EQ(storage.ingest(in, no_anomaly, i).status, IngestStatus::stored);
  }
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 100U * 40000);
  EXPECT_GT(storage.dropped_page_cache_bytes(), size / 2);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // NOLINT(cppcoreguidelines-pro-type-vararg)
  ASSERT_GE(fd, 0);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  ASSERT_NE(map, MAP_FAILED);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  ASSERT_EQ(::mincore(map, size, resident.data()), 0);
  ::munmap(map, size);
  const auto in_cache = static_cast<std::size_t>(
      std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return (r & 1) != 0; }));
  // Only what the last checkpoints have not dropped yet, and the pages
  // rewritten in place (indexes, the hosts' rows), stay: far from all.
  EXPECT_LT(in_cache, resident.size() / 2) << in_cache << " of " << resident.size() << " pages resident";
  std::size_t whole = 0;
  storage.for_each_report([&whole](const ReportRow&, const ReportBlob& blob) {
    if (blob.bytes.size() == 40000 && blob.bytes.find_first_not_of(blob.bytes[0]) == std::string::npos) ++whole;
    return true;
  });
  EXPECT_EQ(whole, 150U);
}

}  // namespace
}  // namespace clinic_audit::collector::test
