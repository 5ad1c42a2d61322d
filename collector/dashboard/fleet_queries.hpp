// What the dashboard pages read (issue #13): the state of every host at a
// moment (its latest report started at or before it, per DESIGN §7's
// "compliance at date D"), a host's history, a check across the fleet.
// Each page costs a bounded number of index seeks per host, never a scan of
// all reports: the indexes are the collector's (reports_host_started,
// results' primary key) and the per-day trend is cached (fleet_trend.hpp).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sql.hpp"

namespace clinic_audit::dashboard {

// Per policy in one report: fail > error > compliant (pass, not_applicable,
// waived and skipped do not make a policy non-compliant; DESIGN §3).
enum class PolicyState { compliant, failing, error };
const char* to_string(PolicyState state);

struct CheckRef {
  std::string check_id, policy_id, title, severity, status;
};

struct HostState {
  std::string machine_id, hostname, site;
  std::optional<std::int64_t> report;  // storage id of the latest report at the moment
  std::string report_id;               // its UUID
  std::int64_t started_at = 0, received_at = 0;
  std::string chain;  // "ok" | "anomaly"
  int n_fail = 0, n_error = 0;
  int open_anomalies = 0;
  bool stale = false;  // no report, or the latest older than stale-after
  std::map<std::string, PolicyState> policies;
  std::vector<CheckRef> not_passing;  // fail and error results of that report
};

struct Snapshot {
  std::int64_t at = 0;
  std::vector<HostState> hosts;  // by hostname, then machine-id
};

struct HistoryItem {
  std::int64_t id = 0;
  std::string report_id;
  std::uint64_t sequence = 0;
  std::int64_t started_at = 0, received_at = 0;
  std::string chain, format;
  bool compliant = false;
  int n_pass = 0, n_fail = 0, n_error = 0, n_waived = 0;
};

struct ResultItem {
  std::string check_id, policy_id, type, title, severity, status, summary, evidence_json, remediation;
};

struct AnomalyItem {
  std::int64_t id = 0;
  std::string machine_id, hostname, kind, detail, report_id, resolution;
  std::int64_t detected_at = 0;
  std::optional<std::int64_t> resolved_at;
};

struct SinceItem {
  std::string machine_id;
  std::optional<std::int64_t> failing_since;  // started_at of the first report of the current run of fails
};

class FleetQueries {
 public:
  FleetQueries(SqlPool& pool, std::int64_t stale_after_seconds) : pool_(pool), stale_after_(stale_after_seconds) {}

  // Every host, or only `machine_id` when given.
  Snapshot snapshot(std::int64_t at, const std::optional<std::string>& machine_id = std::nullopt);
  std::vector<HistoryItem> history(const std::string& machine_id, std::size_t limit, std::size_t offset);
  std::vector<ResultItem> results(std::int64_t report);
  std::vector<AnomalyItem> anomalies(const std::optional<std::string>& machine_id,
                                     const std::optional<std::string>& kind, std::size_t limit, std::size_t offset);
  // For hosts failing `check_id` at `at`: since when, from their history.
  std::vector<SinceItem> failing_since(const std::string& check_id, const std::vector<std::string>& machine_ids,
                                       std::int64_t at);
  struct Blob {
    std::string machine_id, hostname, report_id, format, bytes, signature;
    std::int64_t started_at = 0;
  };
  std::optional<Blob> report_blob(std::int64_t id);
  std::int64_t stale_after() const { return stale_after_; }

 private:
  Snapshot compute_snapshot(std::int64_t at, const std::optional<std::string>& machine_id);
  static void summarize(SqlConnection& db, const std::vector<std::int64_t>& reports);
  static constexpr std::size_t kCacheEntries = 8;
  SqlPool& pool_;
  std::int64_t stale_after_;
  std::mutex cache_mutex_;
  std::list<std::pair<std::string, Snapshot>> cache_;  // newest first
};

}  // namespace clinic_audit::dashboard
