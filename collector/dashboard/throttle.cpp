#include "throttle.hpp"

#include <algorithm>

namespace clinic_audit::dashboard {

std::chrono::seconds LoginThrottle::wait_for(const std::string& key, Clock::time_point now, int free_failures) {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::chrono::seconds{0};
  const Entry& entry = it->second;
  if (now - entry.first > kWindow && now - entry.last > kMaxDelay) {
    entries_.erase(it);
    return std::chrono::seconds{0};
  }
  if (entry.failures < free_failures) return std::chrono::seconds{0};
  const int doublings = std::min(entry.failures - free_failures, 10);
  const auto delay = std::min<std::chrono::seconds>(std::chrono::seconds{1LL << doublings}, kMaxDelay);
  const auto ready = entry.last + delay;
  if (now >= ready) return std::chrono::seconds{0};
  return std::chrono::ceil<std::chrono::seconds>(ready - now);
}

void LoginThrottle::failed(const std::string& key, Clock::time_point now, int free_failures) {
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxKeys) evict_old(now);
  auto& entry = entries_[key];
  if (entry.failures == 0 || now - entry.first > kWindow) {
    // A new window keeps a started penalty: only successes forget.
    if (entry.failures < free_failures) {
      entry.failures = 0;
      entry.first = now;
    }
  }
  ++entry.failures;
  entry.last = now;
}

void LoginThrottle::succeeded(const std::string& key) {
  const std::lock_guard lock(mutex_);
  entries_.erase(key);
}

void LoginThrottle::evict_old(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& item) { return now - item.second.last > kMaxDelay; });
  // Still full (an attack from many addresses): forget the oldest half rather
  // than grow without bound.
  if (entries_.size() >= kMaxKeys) {
    std::size_t dropped = 0;
    for (auto it = entries_.begin(); it != entries_.end() && dropped < kMaxKeys / 2;) {
      it = entries_.erase(it);
      ++dropped;
    }
  }
}

}  // namespace clinic_audit::dashboard
