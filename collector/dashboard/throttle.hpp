// Login throttling (OWASP Authentication cheat sheet: account lockout is a
// denial-of-service tool, so delay instead): after a key's free failures
// within the window, each further attempt must wait, doubling up to
// kMaxDelay. login.cpp keys it twice: per user name and address
// (kFreeFailures; another address is never delayed by this one's
// failures, so an attacker cannot keep a user out), and per address alone
// (kFreeAddressFailures, higher: an office behind one NAT address; a
// success does not forget it, or password spraying across many names would
// reset it with one account of its own). State is per process, bounded
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
  static constexpr int kFreeAddressFailures = 20;
  static constexpr std::chrono::seconds kWindow{15 * 60};
  static constexpr std::chrono::seconds kMaxDelay{15 * 60};
  static constexpr std::size_t kMaxKeys = 100000;

  // Zero when an attempt for this key may be made now, else how long to wait.
  std::chrono::seconds wait_for(const std::string& key, Clock::time_point now = Clock::now(),
                                int free_failures = kFreeFailures);
  void failed(const std::string& key, Clock::time_point now = Clock::now(), int free_failures = kFreeFailures);
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
