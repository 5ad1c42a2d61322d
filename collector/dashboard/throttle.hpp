// Login throttling (OWASP Authentication cheat sheet: account lockout is a
// denial-of-service tool, so delay instead): after kFreeFailures failed
// logins for a user name or from an address within the window, each further
// attempt must wait, doubling up to kMaxDelay. State is per process, bounded
// in size; behind a load balancer each collector throttles on its own (the
// delay per process still bounds guessing to a few attempts a minute).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace clinic_audit::dashboard {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kFreeFailures = 5;
  static constexpr std::chrono::seconds kWindow{15 * 60};
  static constexpr std::chrono::seconds kMaxDelay{15 * 60};
  static constexpr std::size_t kMaxKeys = 100000;

  // Zero when an attempt for this key may be made now, else how long to wait.
  std::chrono::seconds wait_for(const std::string& key, Clock::time_point now = Clock::now());
  void failed(const std::string& key, Clock::time_point now = Clock::now());
  void succeeded(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point first{};
    Clock::time_point last{};
  };
  void evict_old(Clock::time_point now);
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace clinic_audit::dashboard
