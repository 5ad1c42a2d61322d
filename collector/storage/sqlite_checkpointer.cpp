#include "sqlite_checkpointer.hpp"

namespace clinic_audit::collector::sqlite {

WalCheckpointer::WalCheckpointer(const std::function<std::unique_ptr<Connection>()>& open, int frames)
    : db_(ready_connection(open)), frames_(frames), writer_frames_(4 * frames), thread_([this] { run(); }) {}

// The thread's connection, opened here, before any ingest, and its view of
// the WAL set up by a read. Opened at the first checkpoint, in the middle
// of the ingest, its opening (its PRAGMAs read the schema) was a read
// transaction in the WAL, and a reader there when the writer begins a
// transaction stops SQLite from rewinding the WAL to its start
// (https://sqlite.org/wal.html#avoiding_excessively_large_wal_files): under
// TSan the WAL grew by a whole cycle (CI, CheckpointsOffTheWritersThread-
// AndKeepsTheWalBounded); sqlite_checkpointer_test.cpp makes opening slow.
std::unique_ptr<Connection> WalCheckpointer::ready_connection(const std::function<std::unique_ptr<Connection>()>& open) {
  auto db = open();
  {
    Statement schema(*db, "SELECT count(*) FROM sqlite_schema");
    schema.step();
  }  // the read ends when the statement is given back
  return db;
}

WalCheckpointer::~WalCheckpointer() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  thread_.join();
}

void WalCheckpointer::attach(Connection& writer) {
  {
    const std::lock_guard checkpointing(checkpointing_);
    const char* file = sqlite3_db_filename(writer.get(), "main");
    if (file != nullptr && *file != '\0') dropper_ = std::make_unique<AppendedPagesDropper>(file);
  }
  sqlite3_wal_hook(writer.get(), &WalCheckpointer::on_commit, this);
}

// https://sqlite.org/c3ref/wal_hook.html: called after the commit, the write
// lock already released; `frames` is the number of frames now in the WAL.
int WalCheckpointer::on_commit(void* self, sqlite3* /*db*/, const char* /*name*/, int frames) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  checkpointer->wal_frames_.store(frames);
  // Frames the last checkpoint did not copy (after the WAL was restarted,
  // all of them): one checkpoint per `frames_` new frames, not one per
  // commit (each costs two fsyncs).
  const int copied = checkpointer->copied_frames_.load();
  if (frames - (frames < copied ? 0 : copied) >= checkpointer->frames_) {
    {
      const std::lock_guard lock(checkpointer->mutex_);
      checkpointer->due_ = true;
    }
    checkpointer->wanted_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::writer_idle(Connection& writer) {
  if (wal_frames_.load() < writer_frames_) return;
  // Between the writer's transactions nothing is appended, so a PASSIVE
  // checkpoint here copies every frame no reader still needs, and the next
  // transaction writes the WAL from its start again. (RESTART would also
  // wait, up to the busy timeout, for readers such as a long `export` to
  // leave the WAL, holding up every ingest meanwhile.) The passive
  // checkpoints of this thread alone never get there under continuous
  // ingest: the next commit always comes before they end (a test saw the
  // WAL grow with every report). Most frames are already copied, so this
  // one is short. SQLite answers SQLITE_BUSY at once, without waiting,
  // while another connection checkpoints: wait for this thread's here.
  const std::lock_guard checkpointing(checkpointing_);
  int log = 0, copied = 0;
  if (sqlite3_wal_checkpoint_v2(writer.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
    ++by_writer_;
    if (dropper_) dropper_->checkpointed();
    wal_frames_.store(0);  // until the next commit says otherwise
    copied_frames_.store(0);
  }
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wanted_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    {
      int log = 0, copied = 0;
      const std::lock_guard checkpointing(checkpointing_);
      // An error (SQLITE_BUSY: another process's checkpoint) leaves the
      // frames for the next one; nothing is lost by a checkpoint not done.
      if (sqlite3_wal_checkpoint_v2(db_->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
        ++background_;
        copied_frames_.store(copied);
        if (dropper_) dropper_->checkpointed();
      }
    }
    lock.lock();
  }
}

}  // namespace clinic_audit::collector::sqlite
