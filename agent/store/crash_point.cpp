#include "crash_point.hpp"

#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace clinic_audit::signing {

void crash_point(std::string_view step) {
  const char* wanted_env = std::getenv(kCrashEnv);
  if (wanted_env == nullptr) return;
  // "STEP" crashes at the first time STEP is reached, "STEP#N" at the N-th
  // (e.g. signature:renamed#2: after the second report's signature).
  std::string_view wanted(wanted_env);
  long occurrence = 1;
  if (const auto hash = wanted.rfind('#'); hash != std::string_view::npos) {
    occurrence = std::strtol(std::string(wanted.substr(hash + 1)).c_str(), nullptr, 10);
    wanted = wanted.substr(0, hash);
  }
  if (step != wanted) return;
  static std::mutex mutex;
  static std::map<std::string, long, std::less<>> reached;
  std::lock_guard lock(mutex);
  if (++reached[std::string(step)] != occurrence) return;
  std::raise(SIGKILL);
  std::_Exit(137);  // not reached: SIGKILL cannot be caught
}

}  // namespace clinic_audit::signing
