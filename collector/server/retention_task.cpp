#include "retention_task.hpp"

#include <spdlog/spdlog.h>

namespace clinic_audit::collector {

RetentionTask::RetentionTask(Storage& storage, int retention_days, std::chrono::seconds period,
                             std::function<std::time_t()> clock)
    : storage_(storage), retention_days_(retention_days), period_(period), clock_(std::move(clock)) {
  thread_ = std::thread([this] { run(); });
}

RetentionTask::~RetentionTask() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::size_t RetentionTask::prune_once() {
  const std::int64_t cutoff = static_cast<std::int64_t>(clock_()) - static_cast<std::int64_t>(retention_days_) * 86400;
  const std::size_t deleted = storage_.prune_reports(cutoff);
  if (deleted > 0) {
    spdlog::info("retention: deleted {} report(s) started over {} days ago (each host keeps its latest)", deleted,
                 retention_days_);
  }
  return deleted;
}

void RetentionTask::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      prune_once();
    } catch (const StorageError& error) {
      // The database busy or down: the next period tries again; ingest goes on.
      spdlog::warn("retention: pruning failed, retrying in {} s: {}", period_.count(), error.what());
    }
    lock.lock();
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace clinic_audit::collector
