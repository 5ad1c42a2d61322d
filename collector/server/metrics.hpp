// GET /metrics (issue #11 item 8): Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/). Counters
// are atomics updated per request; hosts by state are counted from the
// store when scraped.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "storage.hpp"

namespace clinic_audit::collector {

class Metrics {
 public:
  // One finished request on `route` ("reports", "enroll", ...).
  void observe(const std::string& route, const std::string& outcome, double seconds,
               const std::vector<std::string>& anomaly_kinds);
  // Host states: fresh (a report received within `stale_after_days`), stale
  // (older), never (enrolled, nothing received yet).
  std::string render(Storage& storage, std::int64_t now, int stale_after_days);

  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

 private:
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> ingest_outcomes_;
  std::map<std::string, std::uint64_t> enrol_outcomes_;
  std::map<std::string, std::uint64_t> anomalies_;
  std::array<std::uint64_t, kBuckets.size()> ingest_buckets_{};
  std::uint64_t ingest_count_ = 0;
  double ingest_sum_ = 0;
};

}  // namespace clinic_audit::collector
