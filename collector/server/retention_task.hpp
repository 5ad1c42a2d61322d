// <retention days> (collector.conf, DESIGN.md §7): while `serve` runs, a
// background thread prunes the reports older than that, once at start and
// then every `period`. What is kept is the storage's rule
// (Storage::prune_reports): each host's chain loses only an old prefix and
// keeps its head, so `verify` still checks what remains link by link.
#pragma once

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <mutex>
#include <thread>

#include "storage.hpp"

namespace clinic_audit::collector {

class RetentionTask {
 public:
  RetentionTask(
      Storage& storage, int retention_days, std::chrono::seconds period,
      std::function<std::time_t()> clock = [] { return std::time(nullptr); });
  ~RetentionTask();  // stops the thread (an ongoing batch finishes first)
  RetentionTask(const RetentionTask&) = delete;
  RetentionTask& operator=(const RetentionTask&) = delete;

  // One pass now, on the caller's thread: the number of reports deleted.
  std::size_t prune_once();

 private:
  void run();

  Storage& storage_;
  int retention_days_;
  std::chrono::seconds period_;
  std::function<std::time_t()> clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace clinic_audit::collector
