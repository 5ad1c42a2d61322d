// Runs the built clinic-audit and measures it: exit code, output, wall time
// and peak RSS (wait4(2)'s ru_maxrss: the largest of the agent and the
// children it waited for). Optionally as another user (setresuid(2) in the
// child before exec), for inputs root could read but the agent must not.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace clinic_audit::testing {

struct MeasuredRun {
  int exit_code = -1;  // -2: killed at the time limit; 128+N: died of signal N
  std::string out;
  std::string err;
  long max_rss_kib = 0;
  std::chrono::milliseconds wall{0};
};

// True in a sanitizer build, whose shadow memory makes RSS figures
// meaningless: memory bounds are asserted in the dev preset only.
constexpr bool kSanitizedBuild =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

MeasuredRun run_agent_measured(const std::vector<std::string>& args,
                               std::chrono::seconds limit = std::chrono::seconds(120),
                               std::optional<uid_t> as_user = std::nullopt);

}  // namespace clinic_audit::testing
