// The rows the collector stores (DESIGN.md §7, issue #11 item 6), shared by
// every Storage implementation, the ingest route, export and the dashboard.
// Times are seconds since the Unix epoch (UTC), so that SQLite and PostgreSQL
// compare and index them the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clinic_audit::collector {

// One client machine, keyed by its /etc/machine-id (the certificate's
// subject serialNumber).
struct HostRow {
  std::string machine_id;
  std::string hostname;          // from its latest report
  std::string site;              // label of the enrolment token ("" if never enrolled here)
  std::string cert_fingerprint;  // SHA-256 (hex, lower case) of the current client certificate's DER
  std::int64_t first_seen = 0;
  std::optional<std::int64_t> last_received;      // received_at of its newest stored report
  std::optional<std::int64_t> latest_report;      // ReportRow::id of the highest sequence
  std::optional<std::int64_t> latest_started_at;  // run.started_at of that report
  int open_anomalies = 0;                         // anomalies not resolved
};

// Counts per result status, as in the report's summary.
struct StatusCounts {
  int pass = 0, fail = 0, error = 0, not_applicable = 0, waived = 0, skipped = 0;
};

// A stored report. The exact bytes and detached signature are kept verbatim
// (ReportBlob) so that `export` can hand any of them back for
// `openssl cms -verify` years later.
struct ReportRow {
  std::int64_t id = 0;    // storage key
  std::string report_id;  // the report's UUID
  std::string machine_id;
  std::string hostname;
  std::uint64_t sequence = 0;  // run.sequence (1 .. 2^63-1)
  std::optional<std::string> previous_sha256;
  std::string sha256;           // of the exact bytes
  std::int64_t started_at = 0;  // run.started_at
  std::int64_t received_at = 0;
  std::string format;              // "json" | "xml"
  std::string signer_fingerprint;  // SHA-256 of the signing (= client) certificate
  std::string signer_subject;
  std::string chain;  // "ok" | "anomaly" (judged when received)
  bool compliant = false;
  StatusCounts counts;
};

struct ReportBlob {
  std::string bytes;      // the report, exactly as received
  std::string signature;  // detached CMS, DER, exactly as received
};

// One check result of a report (the report's `results` array).
struct ResultRow {
  std::int64_t report = 0;  // ReportRow::id
  int position = 0;         // order in the report
  std::string check_id, policy_id, type, title, severity, status, summary;
  std::string evidence_json;  // the result's `evidence` array as JSON text
  std::string remediation;
};

// Chain anomaly kinds of DESIGN §7.
inline constexpr const char* kAnomalyKinds[] = {"gap", "replay", "fork", "restart", "identity_change", "clone"};

struct AnomalyRow {
  std::int64_t id = 0;
  std::string machine_id;
  std::optional<std::int64_t> report;  // the report that revealed it
  std::string kind;                    // one of kAnomalyKinds
  std::string detail;
  // For a gap: the missing sequences seq_from..seq_to (a late report
  // arriving shrinks, splits or resolves it).
  std::optional<std::uint64_t> seq_from, seq_to;
  std::int64_t detected_at = 0;
  std::optional<std::int64_t> resolved_at;
  std::string resolution;  // why it was resolved ("" while open)
};

// Enrolment token; only the SHA-256 of its secret is stored.
struct TokenRow {
  std::int64_t id = 0;
  std::string secret_sha256;
  std::string site;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  int uses_allowed = 1;
  int uses = 0;
  std::optional<std::int64_t> revoked_at;
};

// What the ingest route hands to Storage::ingest: a report whose signature,
// certificate chain, schema and machine-id were already verified.
struct IncomingReport {
  ReportRow row;  // id, chain ignored (set by ingest)
  ReportBlob blob;
  std::vector<ResultRow> results;  // report / id ignored
};

// The chain history of one host, as the judge needs it (loaded inside the
// ingest transaction, with the host locked).
struct ChainLink {
  std::int64_t id = 0;
  std::string report_id;
  std::uint64_t sequence = 0;
  std::optional<std::string> previous_sha256;
  std::string sha256;
  std::string signer_fingerprint;
  std::int64_t received_at = 0;
};

struct HostKey {
  std::string fingerprint;
  std::string origin;  // "enrolment" | "report"
  std::int64_t first_seen = 0, last_seen = 0;
};

struct ChainHistory {
  bool known_host = false;
  std::string current_fingerprint;  // hosts.cert_fingerprint
  // By sequence, then id: the stored reports judge_next() can look at for
  // the incoming one (sequence s-1..s+1, same report id, the one its
  // previous_sha256 names, the newest, the lowest), or the whole chain when
  // the incoming report has no previous hash (see load_history in
  // sqlite_storage.cpp).
  std::vector<ChainLink> links;
  std::vector<HostKey> keys;          // every key seen for this machine-id
  std::vector<AnomalyRow> open_gaps;  // kind gap, not resolved
};

struct NewAnomaly {
  std::string kind;
  std::string detail;
  std::optional<std::uint64_t> seq_from, seq_to;
};

// A late report filled part or all of an open gap: the gap is resolved and
// the sub-ranges still missing become new open gaps (not flagged on the late
// report, which itself is in order).
struct GapUpdate {
  std::int64_t anomaly_id = 0;
  std::string resolution;
  std::vector<NewAnomaly> remaining;  // sub-ranges still missing
};

// The judge's verdict for one incoming report.
struct Judgement {
  std::vector<NewAnomaly> anomalies;  // flagged on this report
  std::vector<GapUpdate> gap_updates;
  bool becomes_current_key = true;  // update hosts.cert_fingerprint
};

enum class IngestStatus { stored, duplicate };

struct IngestResult {
  IngestStatus status = IngestStatus::stored;
  ReportRow row;                      // as stored (or as stored before, for a duplicate)
  std::vector<AnomalyRow> anomalies;  // flagged on this report
};

}  // namespace clinic_audit::collector
