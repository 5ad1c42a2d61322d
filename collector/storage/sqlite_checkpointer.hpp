// The WAL checkpoint of the collector's SQLite database, off the ingest
// writer's thread (https://sqlite.org/wal.html#ckpt). By default SQLite
// checkpoints inside the COMMIT that takes the WAL past
// wal_autocheckpoint pages: the writer then copies some 16 MB of pages
// into the database file and waits for two fsync(2) while every queued
// report waits for it. Here the writer's commits only signal; this
// thread, on its own connection, runs PASSIVE checkpoints (they never take
// the write lock: the writer goes on committing), and the writer itself
// checkpoints (PASSIVE, between its transactions) only when the WAL grew
// past 4 x `frames`: under continuous ingest this thread's checkpoints
// never catch the last frames, and the WAL is only rewound to its start
// once every frame is copied and no one reads from it.
// Durability is unchanged: a commit is durable once the WAL is synced
// (synchronous=FULL), whoever copies its pages later.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "sqlite_db.hpp"
#include "sqlite_page_cache.hpp"

namespace clinic_audit::collector::sqlite {

class WalCheckpointer {
 public:
  // `open` makes the thread's connection (here, before the thread starts:
  // see ready_connection()). Checkpoints once a commit leaves `frames`
  // frames in the WAL.
  WalCheckpointer(const std::function<std::unique_ptr<Connection>()>& open, int frames);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // `writer` stops checkpointing at commit (sqlite3_wal_hook replaces
  // wal_autocheckpoint) and signals this thread instead.
  void attach(Connection& writer);
  // Called by the writer's thread between transactions: if the WAL is over
  // the writer's limit, a checkpoint there (see writer_idle()).
  void writer_idle(Connection& writer);

  // Checkpoints done by this thread / by the writer (tests, benchmarks).
  std::uint64_t background_checkpoints() const { return background_.load(); }
  std::uint64_t writer_checkpoints() const { return by_writer_.load(); }
  // Bytes of newly appended database pages dropped from the page cache
  // after checkpoints (sqlite_page_cache.hpp; tests).
  std::uint64_t dropped_bytes() const { return dropper_ ? dropper_->dropped_bytes() : 0; }

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int frames);
  static std::unique_ptr<Connection> ready_connection(const std::function<std::unique_ptr<Connection>()>& open);
  void run();

  std::unique_ptr<Connection> db_;  // the thread's own, handed to it at its start
  const int frames_;
  const int writer_frames_;
  std::atomic<int> wal_frames_{0};                 // in the WAL after the last commit
  std::atomic<int> copied_frames_{0};              // by the last checkpoint
  std::mutex checkpointing_;                       // one checkpoint at a time in this process
  std::unique_ptr<AppendedPagesDropper> dropper_;  // set by attach(), used under checkpointing_
  std::mutex mutex_;
  std::condition_variable wanted_;
  bool due_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> background_{0}, by_writer_{0};
  std::thread thread_;
};

}  // namespace clinic_audit::collector::sqlite
