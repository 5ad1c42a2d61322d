// The WAL checkpoint thread of the SQLite storage (sqlite_checkpointer.hpp),
// alone, on a table of blobs.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "sqlite_checkpointer.hpp"
#include "sqlite_db.hpp"
#include "temp_dir.hpp"

namespace clinic_audit::collector::test {
namespace {

constexpr std::uintmax_t kPage = 4096;
constexpr int kFrames = 8;

std::uintmax_t wal_frames(const std::filesystem::path& db) {
  const auto bytes = std::filesystem::file_size(db.string() + "-wal");
  return bytes < 32 ? 0 : (bytes - 32) / (kPage + 24);  // https://sqlite.org/fileformat.html#the_write_ahead_log
}

// A reader in the WAL when the writer begins a transaction stops SQLite
// from rewinding the WAL to its start, so it grows by whatever is written
// meanwhile. The checkpoint thread's own connection was such a reader: it
// was opened (its PRAGMAs read the schema) at the first checkpoint, in the
// middle of the ingest, and under TSan (CI) the WAL grew a whole cycle.
// Here opening takes 200 ms of reading, which the writer's transactions
// never meet: the connection is opened before the thread starts.
TEST(WalCheckpointer, OpeningItsConnectionNeverHoldsTheWalDuringWrites) {
  TempDir dir;
  const auto path = dir.path() / "w.db";
  sqlite::Connection writer(path.string());
  writer.exec("PRAGMA page_size = 4096");
  writer.exec("PRAGMA journal_mode = WAL");
  writer.exec("CREATE TABLE t(b BLOB)");
  const auto slow_open = [&path] {
    auto db = std::make_unique<sqlite::Connection>(path.string());
    db->exec("BEGIN");
    {
      sqlite::Statement read(*db, "SELECT count(*) FROM t");
      EXPECT_TRUE(read.step());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    db->exec("COMMIT");
    return db;
  };
  sqlite::WalCheckpointer checkpointer(slow_open, kFrames);
  checkpointer.attach(writer);
  const std::string blob(10000, 'b');  // three overflow pages and a leaf
  const auto began = std::chrono::steady_clock::now();
  int transactions = 0;
  // At least 300 ms of writes, and 200 transactions: without checkpoints
  // the WAL would hold every frame of them.
  while (transactions < 200 || std::chrono::steady_clock::now() - began < std::chrono::milliseconds(300)) {
    writer.exec("BEGIN IMMEDIATE");
    sqlite::Statement insert(writer, "INSERT INTO t(b) VALUES (?1)");
    insert.bind_blob(1, blob);
    insert.run();
    writer.exec("COMMIT");
    checkpointer.writer_idle(writer);
    ++transactions;
  }
  EXPECT_GT(checkpointer.background_checkpoints() + checkpointer.writer_checkpoints(), 0U);
  // The writer's limit (4 x kFrames) and one transaction of at most 8
  // frames, with a margin of 8 frames; 200 transactions are 800 frames.
  EXPECT_LT(wal_frames(path), 4U * kFrames + 16U) << transactions << " transactions";
}

}  // namespace
}  // namespace clinic_audit::collector::test
