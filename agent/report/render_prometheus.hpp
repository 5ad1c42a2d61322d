// Metrics for the node_exporter textfile collector (Prometheus text
// exposition format 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/), so that a
// fleet already scraped by Prometheus alerts on compliance.
#pragma once

#include <string>

#include "report.hpp"

namespace clinic_audit {

// Families, each with # HELP and # TYPE, all gauges (the file describes the
// last run, not a process lifetime):
// - clinic_audit_check_status{check_id,policy,severity,status}: one-hot over
//   the six statuses: for each check, one series per status, 1 for the
//   check's status and 0 for the others (the "enum" / OpenMetrics StateSet
//   idiom: `clinic_audit_check_status{status="fail"} == 1` selects failing
//   checks and the series do not disappear when a check changes state).
//   A repeated (check_id, policy) keeps its first result only: duplicate
//   series make node_exporter reject the whole file.
// - clinic_audit_checks{status}: number of checks per status.
// - clinic_audit_run_timestamp_seconds: end of the run (Unix time); absent
//   when finished_at is not RFC 3339.
// - clinic_audit_run_duration_seconds, clinic_audit_compliant (1 or 0).
// Label values are escaped per the exposition format (\\, \", \n). No sample
// timestamps: the textfile collector refuses them. Ends with a newline.
// Never throws on any Report content.
std::string render_prometheus(const Report& report);

}  // namespace clinic_audit
