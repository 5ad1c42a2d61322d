// `clinic-audit submit` (DESIGN.md §7, issue #12 item 4): sends the spool to
// the collector, oldest first, over mutual TLS.
//
//  - A report leaves the spool only after the collector answered 201
//    "stored" or 200 "duplicate" with its report_id: each report is stored
//    once, whatever the agent or the network does (a resend after a lost
//    answer is a duplicate, never a second copy).
//  - The first transient failure (unreachable, timeout, 5xx, 429, an answer
//    that is not a valid acknowledgment) is retried with exponential backoff
//    and full jitter, waiting at least what Retry-After says, up to
//    max-attempts; then the run stops, keeping the order: nothing newer is
//    sent before the older one.
//  - A report the collector refuses as malformed (400), too large (413) or
//    badly signed (422), or that fails the local check (spool_check.hpp), is
//    moved to spool/rejected/ with a .reason file, and the run goes on.
//  - A collector that is not trusted (other CA, pin, name) or refuses the
//    agent's certificate (401/403) ends the run at once: nothing is removed.
//  - Reports that did not fit a full spool (spool.hpp, waiting/) are
//    spooled as acknowledgements make room, lowest sequence first, and sent
//    in the same run.
//  - One run lasts at most max-run-seconds.
//
// Exit codes (sysexits.h): 0 the spool is empty; 75 EX_TEMPFAIL reports
// remain and a later run will retry; 65 EX_DATAERR a report was set aside
// in spool/rejected/ (or the collector URL answered 404/405/3xx) ; 77
// EX_NOPERM trust or certificate refused; 73 EX_CANTCREAT the spool cannot be
// changed. Configuration problems found before (no collector, not enrolled)
// are 65 too.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "spool.hpp"

namespace clinic_audit::delivery {

inline constexpr int kExitDataError = 65;
inline constexpr int kExitCantCreate = 73;
inline constexpr int kExitTempFail = 75;
inline constexpr int kExitNoPermission = 77;

struct SubmitSettings {
  std::string collector_url;
  std::optional<std::string> proxy;  // agent.conf <proxy>; else https_proxy
  std::filesystem::path state_dir;
  std::filesystem::path key, cert, ca;
  std::chrono::milliseconds retry_base{2000};
  std::chrono::milliseconds retry_cap{300000};
  int max_attempts = 8;
  std::chrono::seconds max_run{900};
  std::chrono::seconds step_timeout{30};
  // Room for the reports that wait (spool.hpp): filled as acknowledgements
  // free it, in sequence order.
  store::SpoolLimits spool_limits;
};

int run_submit(const SubmitSettings& settings, std::ostream& out, std::ostream& err);

}  // namespace clinic_audit::delivery
