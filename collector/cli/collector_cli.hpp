// The clinic-audit-collector command line (DESIGN.md §7): serve, init,
// token create|list|revoke, export, verify. Exit codes as the agent's
// (DESIGN §4): 0 done, 1 verify found a problem, 64 usage, 65 bad
// configuration (naming file:line), 70 internal error.
#pragma once

#include <ostream>

namespace clinic_audit::collector {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblem = 1;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitConfig = 65;
inline constexpr int kExitInternal = 70;

int run_collector_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace clinic_audit::collector
