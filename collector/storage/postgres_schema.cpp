#include "postgres_schema.hpp"

namespace clinic_audit::collector::pg {

// Version 1: the tables, columns and indexes of sqlite_schema.cpp, with
// PostgreSQL types (BIGSERIAL keys, BIGINT, BYTEA).
static const char* const kVersion1 = R"sql(
CREATE TABLE hosts (
  machine_id        TEXT PRIMARY KEY,
  hostname          TEXT NOT NULL,
  site              TEXT NOT NULL DEFAULT '',
  cert_fingerprint  TEXT NOT NULL DEFAULT '',
  first_seen        BIGINT NOT NULL,
  last_received     BIGINT,
  latest_report     BIGINT,
  latest_started_at BIGINT
);
CREATE TABLE host_keys (
  machine_id  TEXT NOT NULL REFERENCES hosts(machine_id),
  fingerprint TEXT NOT NULL,
  origin      TEXT NOT NULL CHECK (origin IN ('enrolment', 'report')),
  first_seen  BIGINT NOT NULL,
  last_seen   BIGINT NOT NULL,
  PRIMARY KEY (machine_id, fingerprint)
);
CREATE TABLE reports (
  id                 BIGSERIAL PRIMARY KEY,
  report_id          TEXT NOT NULL,
  machine_id         TEXT NOT NULL REFERENCES hosts(machine_id),
  hostname           TEXT NOT NULL,
  sequence           BIGINT NOT NULL CHECK (sequence >= 1),
  previous_sha256    TEXT,
  sha256             TEXT NOT NULL UNIQUE,
  started_at         BIGINT NOT NULL,
  received_at        BIGINT NOT NULL,
  format             TEXT NOT NULL CHECK (format IN ('json', 'xml')),
  bytes              BYTEA NOT NULL,
  signature          BYTEA NOT NULL,
  signer_fingerprint TEXT NOT NULL,
  signer_subject     TEXT NOT NULL,
  chain              TEXT NOT NULL CHECK (chain IN ('ok', 'anomaly')),
  compliant          BIGINT NOT NULL,
  n_pass BIGINT NOT NULL, n_fail BIGINT NOT NULL, n_error BIGINT NOT NULL,
  n_not_applicable BIGINT NOT NULL, n_waived BIGINT NOT NULL, n_skipped BIGINT NOT NULL
);
-- "each host's latest report at or before D": per host, newest run first.
CREATE INDEX reports_host_started ON reports (machine_id, started_at DESC, sequence DESC);
CREATE INDEX reports_host_sequence ON reports (machine_id, sequence);
CREATE INDEX reports_report_id ON reports (report_id);
CREATE INDEX reports_received ON reports (received_at);
CREATE TABLE results (
  report      BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  position    BIGINT NOT NULL,
  check_id    TEXT NOT NULL,
  policy_id   TEXT NOT NULL,
  type        TEXT NOT NULL,
  title       TEXT NOT NULL,
  severity    TEXT NOT NULL,
  status      TEXT NOT NULL,
  summary     TEXT NOT NULL,
  evidence    TEXT NOT NULL,
  remediation TEXT NOT NULL,
  PRIMARY KEY (report, position)
);
CREATE INDEX results_check ON results (check_id, status);
CREATE INDEX results_policy ON results (policy_id);
CREATE TABLE anomalies (
  id          BIGSERIAL PRIMARY KEY,
  machine_id  TEXT NOT NULL REFERENCES hosts(machine_id),
  report      BIGINT REFERENCES reports(id) ON DELETE SET NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('gap', 'replay', 'fork', 'restart', 'identity_change', 'clone')),
  detail      TEXT NOT NULL,
  seq_from    BIGINT,
  seq_to      BIGINT,
  detected_at BIGINT NOT NULL,
  resolved_at BIGINT,
  resolution  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX anomalies_host ON anomalies (machine_id, resolved_at);
CREATE INDEX anomalies_report ON anomalies (report);
CREATE INDEX anomalies_kind ON anomalies (kind, detected_at);
CREATE TABLE tokens (
  id            BIGSERIAL PRIMARY KEY,
  secret_sha256 TEXT NOT NULL UNIQUE,
  site          TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT,
  uses_allowed  BIGINT NOT NULL CHECK (uses_allowed >= 1),
  uses          BIGINT NOT NULL DEFAULT 0,
  revoked_at    BIGINT
);
CREATE TABLE enrolments (
  id               BIGSERIAL PRIMARY KEY,
  machine_id       TEXT NOT NULL,
  hostname         TEXT NOT NULL,
  site             TEXT NOT NULL,
  cert_fingerprint TEXT NOT NULL,
  enrolled_at      BIGINT NOT NULL
);
CREATE INDEX enrolments_host ON enrolments (machine_id);
)sql";

// Version 2: the two secondary indexes of `results` go. No query reads
// results by check or policy (the dashboard reads a report's results by its
// primary key and keeps its own per-report summaries, dashboard_schema.cpp),
// and each of a report's 20 result rows paid an insert into both: a sixth
// of the ingest's SQLite time (perf, issue #11 benchmarks).
static const char* const kVersion2 = R"sql(
DROP INDEX IF EXISTS results_check;
DROP INDEX IF EXISTS results_policy;
)sql";

const std::vector<const char*>& migrations() {
  static const std::vector<const char*> all = {kVersion1, kVersion2};
  return all;
}

}  // namespace clinic_audit::collector::pg
