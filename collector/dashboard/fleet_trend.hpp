// The fleet's 90-day trend (issue #13, Fleet page): per day and policy, how
// many hosts were compliant, failing, in error or stale at the end of that
// day (UTC), by the same rule as "compliance at date D". A closed day is
// computed once and kept in dashboard_trend; a report that arrives later but
// started on or before a cached day invalidates that day and the ones after
// it (found through reports.id, which only grows), so the figures stay those
// of the stored reports.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "fleet_queries.hpp"

namespace clinic_audit::dashboard {

struct PolicyCounts {
  std::int64_t compliant = 0, failing = 0, error = 0, stale = 0;
};

struct TrendDay {
  std::int64_t day = 0;  // seconds at 00:00 UTC
  std::map<std::string, PolicyCounts> policies;
};

// Counts of a snapshot per policy (a stale host counts as stale for each
// policy of its last report; hosts with no report are not counted here).
std::map<std::string, PolicyCounts> count_by_policy(const Snapshot& snapshot);

class FleetTrend {
 public:
  FleetTrend(SqlPool& pool, FleetQueries& queries) : pool_(pool), queries_(queries) {}
  // `days` days ending with today (today computed live from `today`).
  std::vector<TrendDay> days(std::int64_t now, int days, const Snapshot& today);

 private:
  void invalidate_late_reports(SqlConnection& db);
  SqlPool& pool_;
  FleetQueries& queries_;
  std::mutex mutex_;  // one computation of missing days at a time
};

}  // namespace clinic_audit::dashboard
