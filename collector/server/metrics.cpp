#include "metrics.hpp"

#include <cstdio>
#include <sstream>

namespace clinic_audit::collector {
namespace {

// Label values are our own fixed words; escape anyway (exposition format:
// backslash, double quote and newline).
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace

void Metrics::observe(const std::string& route, const std::string& outcome, double seconds,
                      const std::vector<std::string>& anomaly_kinds) {
  const std::lock_guard lock(mutex_);
  if (route == "reports") {
    ++ingest_outcomes_[outcome];
    ++ingest_count_;
    ingest_sum_ += seconds;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) ++ingest_buckets_[i];
    }
    for (const auto& kind : anomaly_kinds) ++anomalies_[kind];
  } else if (route == "enroll") {
    ++enrol_outcomes_[outcome];
  }
}

std::string Metrics::render(Storage& storage, std::int64_t now, int stale_after_days) {
  std::uint64_t fresh = 0, stale = 0, never = 0;
  for (const HostRow& host : storage.hosts()) {
    if (!host.last_received) {
      ++never;
    } else if (now - *host.last_received <= std::int64_t{stale_after_days} * 86400) {
      ++fresh;
    } else {
      ++stale;
    }
  }
  std::ostringstream out;
  const std::lock_guard lock(mutex_);
  out << "# HELP clinic_audit_collector_reports_ingested_total Report submissions by outcome.\n"
         "# TYPE clinic_audit_collector_reports_ingested_total counter\n";
  for (const char* outcome :
       {"stored", "duplicate", "bad_request", "forbidden", "too_large", "bad_signature", "unavailable", "error"}) {
    out << "clinic_audit_collector_reports_ingested_total{outcome=\"" << outcome << "\"} " << ingest_outcomes_[outcome]
        << "\n";
  }
  out << "# HELP clinic_audit_collector_ingest_duration_seconds Time from a complete request to its answer on POST /api/v1/reports.\n"
         "# TYPE clinic_audit_collector_ingest_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    out << "clinic_audit_collector_ingest_duration_seconds_bucket{le=\"" << number(kBuckets[i]) << "\"} "
        << ingest_buckets_[i] << "\n";
  }
  out << "clinic_audit_collector_ingest_duration_seconds_bucket{le=\"+Inf\"} " << ingest_count_ << "\n"
      << "clinic_audit_collector_ingest_duration_seconds_sum " << number(ingest_sum_) << "\n"
      << "clinic_audit_collector_ingest_duration_seconds_count " << ingest_count_ << "\n";
  out << "# HELP clinic_audit_collector_chain_anomalies_total Chain anomalies flagged on stored reports, by kind.\n"
         "# TYPE clinic_audit_collector_chain_anomalies_total counter\n";
  for (const char* kind : kAnomalyKinds) {
    out << "clinic_audit_collector_chain_anomalies_total{kind=\"" << kind << "\"} " << anomalies_[kind] << "\n";
  }
  out << "# HELP clinic_audit_collector_enrolments_total Enrolment requests by outcome.\n"
         "# TYPE clinic_audit_collector_enrolments_total counter\n";
  for (const auto& [outcome, count] : enrol_outcomes_) {
    out << "clinic_audit_collector_enrolments_total{outcome=\"" << label(outcome) << "\"} " << count << "\n";
  }
  out << "# HELP clinic_audit_collector_hosts Hosts by state: fresh (a report within stale-after days), stale, never (enrolled, no report).\n"
         "# TYPE clinic_audit_collector_hosts gauge\n"
      << "clinic_audit_collector_hosts{state=\"fresh\"} " << fresh << "\n"
      << "clinic_audit_collector_hosts{state=\"stale\"} " << stale << "\n"
      << "clinic_audit_collector_hosts{state=\"never\"} " << never << "\n";
  return out.str();
}

}  // namespace clinic_audit::collector
