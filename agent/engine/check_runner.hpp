// Runs planned checks concurrently, each with its own timeout. A check that
// throws, errors or overruns yields `error` with the reason while all others
// still report (issue #2, item 4).
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "common/context.hpp"
#include "plan.hpp"
#include "report/report.hpp"

namespace clinic_audit {

struct RunOptions {
  // Checks run at most this many at a time. Workers start as
  // initial_workers (at least one); each check still running after
  // slow_check_grace starts one more worker, up to max_parallel, so that a
  // check waiting on a command or the network does not hold up the others.
  std::size_t max_parallel = 8;
  std::size_t initial_workers = 1;
  std::chrono::milliseconds slow_check_grace{10};
  bool offline = false;
  // --root DIR other than "/": network probes are `skipped`, they would
  // describe the auditing machine's network (issue #17 item 4).
  bool audited_root = false;
  // Called (from the calling thread) as each check finishes: progress display.
  std::function<void(const ResultRecord&, std::size_t done, std::size_t total)> on_result;
};

struct RunOutcome {
  std::vector<ResultRecord> results;  // in plan order
  // Checks still running when their timeout expired. Their threads cannot be
  // cancelled; the caller must leave the process with _Exit after reporting.
  std::size_t abandoned = 0;
};

RunOutcome run_checks(const std::vector<const PlannedCheck*>& checks, const Context& context,
                      const RunOptions& options);

// Turns an exception escaping a check into its `error` outcome.
Outcome outcome_from_exception(std::exception_ptr error);

}  // namespace clinic_audit
