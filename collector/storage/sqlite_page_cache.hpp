// Hands the database file's newly appended pages back to the kernel once a
// WAL checkpoint has copied and synced them (posix_fadvise(2)
// POSIX_FADV_DONTNEED on the range the file grew by since the last time).
//
// Why: the collector's database is an append-mostly archive (every report's
// 40 KB of bytes plus its result rows, ~60 KB a report in the file), read
// back rarely (export, the dashboard's recent pages). Left in the page
// cache, a 150,000-report flush grows it by ~10 GB of pages written once;
// on this project's VM, page-cache pages beyond the first ~8 GB of new
// ones cost 5 to 7 times more system time to write (dd measured 0.5 s per
// 2 GB, then 2.6-3.7 s; with the pages dropped after each 2 GB: 0.6 s
// throughout), and that was the ingest's cost growing with the store.
// Dropped pages are clean (the checkpoint synced them: synchronous=FULL),
// so nothing is lost; a later read takes them from the disk again. Pages
// inside the file (index leaves rewritten by every batch) are not touched:
// only the range appended since the last drop.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace clinic_audit::collector::sqlite {

class AppendedPagesDropper {
 public:
  // `path`: the database file, whose current size is where dropping
  // starts (what it held before is left alone).
  explicit AppendedPagesDropper(std::string path);
  ~AppendedPagesDropper();
  AppendedPagesDropper(const AppendedPagesDropper&) = delete;
  AppendedPagesDropper& operator=(const AppendedPagesDropper&) = delete;

  // After a successful checkpoint: drops [end of the last drop, file size).
  // Advice only: an error (the file cannot be opened) changes nothing else.
  void checkpointed();
  // Bytes advised away so far (tests).
  std::uint64_t dropped_bytes() const { return dropped_bytes_.load(); }

 private:
  std::string path_;
  int fd_ = -1;
  std::int64_t dropped_until_ = 0;
  std::atomic<std::uint64_t> dropped_bytes_{0};
};

}  // namespace clinic_audit::collector::sqlite
