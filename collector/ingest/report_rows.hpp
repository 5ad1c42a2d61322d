// What the collector stores beside a report's exact bytes, derived from its
// content: the columns the dashboard and `export` filter and count on
// (host name, compliance, counts per status) and one row per result. Ingest
// writes them; `verify` derives them again from the stored bytes and
// compares, so that a row edited in the database is named, not exported.
#pragma once

#include <vector>

#include "records.hpp"
#include "report_content.hpp"

namespace clinic_audit::collector {

// Sets row's report_id, machine_id, hostname, sequence, previous_sha256,
// compliant and counts, and fills `results` (positions in report order),
// moving the strings out of `content`. started_at, sha256, the signer and
// the format are the caller's.
void derive_rows(signing::ReportContent&& content, ReportRow& row, std::vector<ResultRow>& results);

}  // namespace clinic_audit::collector
