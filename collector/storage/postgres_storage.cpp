// Over 400 lines: every query of the Storage interface for PostgreSQL, one
// backend per file (sqlite_storage.cpp is the other) so that the two stay
// comparable query by query.
#include "postgres_storage.hpp"

#include "same_run.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "postgres_schema.hpp"

namespace clinic_audit::collector {
namespace {

using pg::Connection;
using pg::Params;
using pg::Result;

constexpr const char* kReportColumns =
    "r.id, r.report_id, r.machine_id, r.hostname, r.sequence, r.previous_sha256, r.sha256, r.started_at, "
    "r.received_at, r.format, r.signer_fingerprint, r.signer_subject, r.chain, r.compliant, r.n_pass, r.n_fail, "
    "r.n_error, r.n_not_applicable, r.n_waived, r.n_skipped";

ReportRow read_report(const Result& s, int row) {
  ReportRow out;
  int c = 0;
  out.id = s.integer(row, c++);
  out.report_id = s.text(row, c++);
  out.machine_id = s.text(row, c++);
  out.hostname = s.text(row, c++);
  out.sequence = static_cast<std::uint64_t>(s.integer(row, c++));
  out.previous_sha256 = s.optional_text(row, c++);
  out.sha256 = s.text(row, c++);
  out.started_at = s.integer(row, c++);
  out.received_at = s.integer(row, c++);
  out.format = s.text(row, c++);
  out.signer_fingerprint = s.text(row, c++);
  out.signer_subject = s.text(row, c++);
  out.chain = s.text(row, c++);
  out.compliant = s.integer(row, c++) != 0;
  out.counts.pass = static_cast<int>(s.integer(row, c++));
  out.counts.fail = static_cast<int>(s.integer(row, c++));
  out.counts.error = static_cast<int>(s.integer(row, c++));
  out.counts.not_applicable = static_cast<int>(s.integer(row, c++));
  out.counts.waived = static_cast<int>(s.integer(row, c++));
  out.counts.skipped = static_cast<int>(s.integer(row, c++));
  return out;
}

std::vector<ReportRow> read_reports(const Result& s) {
  std::vector<ReportRow> rows;
  for (int i = 0; i < s.rows(); ++i) rows.push_back(read_report(s, i));
  return rows;
}

constexpr const char* kAnomalyColumns =
    "id, machine_id, report, kind, detail, seq_from, seq_to, detected_at, resolved_at, resolution";

std::vector<AnomalyRow> read_anomalies(const Result& s) {
  std::vector<AnomalyRow> rows;
  for (int i = 0; i < s.rows(); ++i) {
    AnomalyRow row;
    row.id = s.integer(i, 0);
    row.machine_id = s.text(i, 1);
    row.report = s.optional_integer(i, 2);
    row.kind = s.text(i, 3);
    row.detail = s.text(i, 4);
    if (auto v = s.optional_integer(i, 5)) row.seq_from = static_cast<std::uint64_t>(*v);
    if (auto v = s.optional_integer(i, 6)) row.seq_to = static_cast<std::uint64_t>(*v);
    row.detected_at = s.integer(i, 7);
    row.resolved_at = s.optional_integer(i, 8);
    row.resolution = s.text(i, 9);
    rows.push_back(std::move(row));
  }
  return rows;
}

constexpr const char* kHostColumns =
    "h.machine_id, h.hostname, h.site, h.cert_fingerprint, h.first_seen, h.last_received, h.latest_report, "
    "h.latest_started_at, (SELECT count(*) FROM anomalies a WHERE a.machine_id = h.machine_id AND a.resolved_at IS NULL)";

std::vector<HostRow> read_hosts(const Result& s) {
  std::vector<HostRow> rows;
  for (int i = 0; i < s.rows(); ++i) {
    HostRow row;
    row.machine_id = s.text(i, 0);
    row.hostname = s.text(i, 1);
    row.site = s.text(i, 2);
    row.cert_fingerprint = s.text(i, 3);
    row.first_seen = s.integer(i, 4);
    row.last_received = s.optional_integer(i, 5);
    row.latest_report = s.optional_integer(i, 6);
    row.latest_started_at = s.optional_integer(i, 7);
    row.open_anomalies = static_cast<int>(s.integer(i, 8));
    rows.push_back(std::move(row));
  }
  return rows;
}

constexpr const char* kTokenColumns = "id, secret_sha256, site, created_at, expires_at, uses_allowed, uses, revoked_at";

TokenRow read_token(const Result& s, int i) {
  TokenRow row;
  row.id = s.integer(i, 0);
  row.secret_sha256 = s.text(i, 1);
  row.site = s.text(i, 2);
  row.created_at = s.integer(i, 3);
  row.expires_at = s.optional_integer(i, 4);
  row.uses_allowed = static_cast<int>(s.integer(i, 5));
  row.uses = static_cast<int>(s.integer(i, 6));
  row.revoked_at = s.optional_integer(i, 7);
  return row;
}

std::optional<std::int64_t> to_db(const std::optional<std::uint64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

std::string sql(const char* head, const char* columns, const char* tail) { return std::string(head) + columns + tail; }

class Transaction {
 public:
  explicit Transaction(Connection& db) : db_(db) { db_.exec("BEGIN"); }
  ~Transaction() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {  // NOLINT(bugprone-empty-catch): a broken connection is dropped by the pool
      }
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  Connection& db_;
  bool done_ = false;
};

std::vector<AnomalyRow> anomalies_of_report(Connection& db, std::int64_t report) {
  return read_anomalies(
      db.exec(sql("SELECT ", kAnomalyColumns, " FROM anomalies WHERE report = $1 ORDER BY id").c_str(),
              Params().integer(report)));
}

void insert_anomaly(Connection& db, const std::string& machine_id, std::optional<std::int64_t> report,
                    const NewAnomaly& anomaly, std::int64_t now) {
  db.exec("INSERT INTO anomalies (machine_id, report, kind, detail, seq_from, seq_to, detected_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7)",
          Params()
              .text(machine_id)
              .optional(report)
              .text(anomaly.kind)
              .text(anomaly.detail)
              .optional(to_db(anomaly.seq_from))
              .optional(to_db(anomaly.seq_to))
              .integer(now));
}

std::vector<ResultRow> results_of(Connection& db, std::int64_t report) {
  const Result s = db.exec("SELECT report, position, check_id, policy_id, type, title, severity, status, summary, "
                           "evidence, remediation FROM results WHERE report = $1 ORDER BY position",
                           Params().integer(report));
  std::vector<ResultRow> rows;
  for (int i = 0; i < s.rows(); ++i) {
    rows.push_back({s.integer(i, 0), static_cast<int>(s.integer(i, 1)), s.text(i, 2), s.text(i, 3), s.text(i, 4),
                    s.text(i, 5), s.text(i, 6), s.text(i, 7), s.text(i, 8), s.text(i, 9), s.text(i, 10)});
  }
  return rows;
}

// The report's results, up to kResultsPerInsert rows a statement: one
// round trip for a 20-check report instead of 20.
constexpr std::size_t kResultsPerInsert = 32;

void insert_results(Connection& db, std::int64_t report, const std::vector<ResultRow>& results) {
  for (std::size_t first = 0; first < results.size(); first += kResultsPerInsert) {
    const std::size_t rows = std::min(kResultsPerInsert, results.size() - first);
    std::string statement =
        "INSERT INTO results (report, position, check_id, policy_id, type, title, severity, status, summary, evidence, "
        "remediation) VALUES ";
    Params params;
    for (std::size_t i = 0; i < rows; ++i) {
      statement += i == 0 ? "(" : ", (";
      for (std::size_t c = 1; c <= 11; ++c) statement += (c == 1 ? "$" : ", $") + std::to_string(i * 11 + c);
      statement += ")";
      const ResultRow& r = results[first + i];
      params.integer(report)
          .integer(r.position)
          .text(r.check_id)
          .text(r.policy_id)
          .text(r.type)
          .text(r.title)
          .text(r.severity)
          .text(r.status)
          .text(r.summary)
          .text(r.evidence_json)
          .text(r.remediation);
    }
    db.exec(statement.c_str(), params);
  }
}

int read_version(Connection& db) {
  const Result exists = db.exec("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                                "AND table_name = 'schema_version'");
  if (exists.integer(0, 0) == 0) return 0;
  const Result version = db.exec("SELECT version FROM schema_version");
  return version.rows() > 0 ? static_cast<int>(version.integer(0, 0)) : 0;
}

}  // namespace

class PostgresStorage::Lease {
 public:
  Lease(PostgresStorage& owner, std::unique_ptr<Connection> connection)
      : owner_(owner), connection_(std::move(connection)) {}
  ~Lease() {
    if (!connection_->healthy()) return;  // dropped: the next lease reconnects
    const std::lock_guard lock(owner_.mutex_);
    owner_.pool_.push_back(std::move(connection_));
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Connection& db() { return *connection_; }

 private:
  PostgresStorage& owner_;
  std::unique_ptr<Connection> connection_;
};

PostgresStorage::PostgresStorage(std::string url) : url_(std::move(url)) {
  auto first = lease();  // fail early on a wrong URL
}

PostgresStorage::~PostgresStorage() {
  {
    const std::lock_guard lock(jobs_mutex_);
    stopping_ = true;
  }
  jobs_ready_.notify_all();
  for (auto& writer : writers_) writer.join();  // each drains the queue first
}

void PostgresStorage::ingest_async(std::shared_ptr<const IncomingReport> incoming, ChainJudge judge, std::int64_t now,
                                   IngestDone done) {
  {
    const std::lock_guard lock(jobs_mutex_);
    if (writers_.empty()) {
      for (std::size_t i = 0; i < kWriters; ++i) writers_.emplace_back([this] { write_jobs(); });
    }
    jobs_.push_back({std::move(incoming), std::move(judge), now, std::move(done), std::nullopt, nullptr});
  }
  jobs_ready_.notify_one();
}

void PostgresStorage::write_jobs() {
  std::unique_lock lock(jobs_mutex_);
  while (true) {
    jobs_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, nothing left
    // Everything queued, up to kMaxBatch: one transaction, one commit.
    std::vector<PendingIngest> batch;
    while (!jobs_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(jobs_.front()));
      jobs_.pop_front();
    }
    writing_ += batch.size();
    lock.unlock();
    try {
      auto l = lease();
      if (!write_together(l.db(), batch)) {
        ++batches_written_singly_;
        for (PendingIngest& item : batch) write_together(l.db(), std::span(&item, 1));
      }
    } catch (...) {  // no connection: every report of the batch gets the error
      for (PendingIngest& item : batch) {
        item.result.reset();
        item.error = std::current_exception();
      }
    }
    // Committed (or failed): only now does anyone learn of it.
    for (PendingIngest& item : batch) {
      try {
        item.done(std::move(item.result), item.error);
      } catch (...) {  // NOLINT(bugprone-empty-catch): `done` must not throw; the others still get theirs
      }
    }
    const std::size_t written = batch.size();
    batch.clear();  // the callbacks' captures too, before drain() may return
    lock.lock();
    writing_ -= written;
    if (writing_ == 0 && jobs_.empty()) drained_.notify_all();
  }
}

void PostgresStorage::drain() {
  std::unique_lock lock(jobs_mutex_);
  drained_.wait(lock, [this] { return writing_ == 0 && jobs_.empty(); });
}

PostgresStorage::Lease PostgresStorage::lease() {
  {
    const std::lock_guard lock(mutex_);
    if (!pool_.empty()) {
      auto connection = std::move(pool_.back());
      pool_.pop_back();
      return Lease(*this, std::move(connection));
    }
  }
  return Lease(*this, std::make_unique<Connection>(url_));
}

int PostgresStorage::schema_version() {
  auto l = lease();
  return read_version(l.db());
}

void PostgresStorage::migrate() {
  auto l = lease();
  Connection& db = l.db();
  Transaction transaction(db);
  // Two `init` at once (two collectors): one migrates, the other waits.
  db.exec("SELECT pg_advisory_xact_lock(727171)");
  const int current = read_version(db);
  const auto& steps = pg::migrations();
  if (current > static_cast<int>(steps.size())) {
    throw StorageError("PostgreSQL database has schema version " + std::to_string(current) +
                       ", newer than this collector's " + std::to_string(steps.size()) +
                       ": upgrade clinic-audit-collector (refusing to touch it)");
  }
  if (current == 0)
    db.exec_script("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0);");
  for (int version = current + 1; version <= static_cast<int>(steps.size()); ++version) {
    db.exec_script(steps[static_cast<std::size_t>(version - 1)]);
    db.exec("UPDATE schema_version SET version = $1", Params().integer(version));
  }
  transaction.commit();
}

namespace {

using pg::LockedHost;

// Creates (if new) and locks the host rows of every report of `items`, in
// machine_id order: every transaction, of this collector or another, takes
// its host locks in that one order, so two batches sharing hosts wait for
// each other and never deadlock. The lock also reads each host's key for
// the judge (no other transaction can change the row once locked).
template <typename Item>
std::map<std::string, LockedHost> lock_hosts(Connection& db, std::span<Item> items) {
  std::map<std::string, const Item*> first;  // sorted by machine_id
  for (const Item& item : items) first.emplace(item.incoming->row.machine_id, &item);
  std::map<std::string, LockedHost> hosts;
  for (const auto& [machine_id, item] : first) {
    const ReportRow& in = item->incoming->row;
    const Result created =
        db.exec("INSERT INTO hosts (machine_id, hostname, cert_fingerprint, first_seen) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (machine_id) DO NOTHING RETURNING machine_id",
                Params().text(in.machine_id).text(in.hostname).text(in.signer_fingerprint).integer(item->now));
    const Result locked =
        db.exec("SELECT cert_fingerprint FROM hosts WHERE machine_id = $1 FOR UPDATE", Params().text(in.machine_id));
    hosts[machine_id] = {created.rows() == 0, locked.text(0, 0)};
  }
  return hosts;
}

}  // namespace

// One report, its host locked (lock_hosts), inside the batch's transaction.
IngestResult PostgresStorage::ingest_locked(Connection& db, const IncomingReport& incoming, const ChainJudge& judge,
                                            std::int64_t now, pg::LockedHost& host) {
  const ReportRow& in = incoming.row;
  auto duplicate = [&](const Result& found) {
    const ReportRow existing = read_report(found, 0);
    return IngestResult{IngestStatus::duplicate, existing, anomalies_of_report(db, existing.id)};
  };
  if (Result found = db.exec(sql("SELECT ", kReportColumns, " FROM reports r WHERE r.sha256 = $1").c_str(),
                             Params().text(in.sha256));
      found.rows() > 0) {
    return duplicate(found);
  }
  if (Result found = db.exec(sql("SELECT ", kReportColumns,
                                 " FROM reports r WHERE r.machine_id = $1 AND r.report_id = $2 AND r.sequence = $3 AND "
                                 "r.format <> $4 AND r.previous_sha256 IS NOT DISTINCT FROM $5 ORDER BY r.id LIMIT 1")
                                 .c_str(),
                             Params()
                                 .text(in.machine_id)
                                 .text(in.report_id)
                                 .integer(static_cast<std::int64_t>(in.sequence))
                                 .text(in.format)
                                 .optional(in.previous_sha256));
      found.rows() > 0 && same_run_content(read_report(found, 0), results_of(db, found.integer(0, 0)), incoming)) {
    return duplicate(found);
  }

  ChainHistory history;
  {
    history.known_host = host.known;
    history.current_fingerprint = host.known ? host.fingerprint : "";
    // The links judge_next() can look at, as in sqlite_storage.cpp's
    // load_history (the whole chain only for a restart).
    const bool whole = !in.previous_sha256 || in.sequence < 1 ||
                       in.sequence >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    const auto sequence = static_cast<std::int64_t>(in.sequence);
    const Result links =
        whole ? db.exec("SELECT id, report_id, sequence, previous_sha256, sha256, signer_fingerprint, received_at "
                        "FROM reports WHERE machine_id = $1 ORDER BY sequence, id",
                        Params().text(in.machine_id))
              : db.exec("SELECT id, report_id, sequence, previous_sha256, sha256, signer_fingerprint, received_at "
                        "FROM reports WHERE id IN ("
                        "SELECT id FROM reports WHERE machine_id = $1 AND sequence BETWEEN $2 AND $3 "
                        "UNION SELECT id FROM reports WHERE report_id = $4 AND machine_id = $1 "
                        "UNION SELECT id FROM reports WHERE sha256 = $5 AND machine_id = $1 "
                        "UNION (SELECT id FROM reports WHERE machine_id = $1 ORDER BY sequence DESC, id DESC LIMIT 1) "
                        "UNION (SELECT id FROM reports WHERE machine_id = $1 ORDER BY sequence ASC, id ASC LIMIT 1)) "
                        "ORDER BY sequence, id",
                        Params()
                            .text(in.machine_id)
                            .integer(sequence - 1)
                            .integer(sequence + 1)
                            .text(in.report_id)
                            .optional(in.previous_sha256));
    for (int i = 0; i < links.rows(); ++i) {
      history.links.push_back({links.integer(i, 0), links.text(i, 1), static_cast<std::uint64_t>(links.integer(i, 2)),
                               links.optional_text(i, 3), links.text(i, 4), links.text(i, 5), links.integer(i, 6)});
    }
    const Result keys =
        db.exec("SELECT fingerprint, origin, first_seen, last_seen FROM host_keys WHERE machine_id = $1 "
                "ORDER BY first_seen",
                Params().text(in.machine_id));
    for (int i = 0; i < keys.rows(); ++i)
      history.keys.push_back({keys.text(i, 0), keys.text(i, 1), keys.integer(i, 2), keys.integer(i, 3)});
    history.open_gaps =
        read_anomalies(db.exec(sql("SELECT ", kAnomalyColumns,
                                   " FROM anomalies WHERE machine_id = $1 AND kind = 'gap' AND resolved_at "
                                   "IS NULL ORDER BY seq_from")
                                   .c_str(),
                               Params().text(in.machine_id)));
  }
  const Judgement judgement = judge(history, incoming);

  db.exec(
      "INSERT INTO host_keys (machine_id, fingerprint, origin, first_seen, last_seen) VALUES ($1, $2, 'report', $3, $3) "
      "ON CONFLICT (machine_id, fingerprint) DO UPDATE SET last_seen = excluded.last_seen",
      Params().text(in.machine_id).text(in.signer_fingerprint).integer(now));
  const std::string chain = judgement.anomalies.empty() ? "ok" : "anomaly";
  const Result inserted = db.exec(
      "INSERT INTO reports (report_id, machine_id, hostname, sequence, previous_sha256, sha256, started_at, received_at, "
      "format, bytes, signature, signer_fingerprint, signer_subject, chain, compliant, n_pass, n_fail, n_error, "
      "n_not_applicable, n_waived, n_skipped) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
      "$16, $17, $18, $19, $20, $21) RETURNING id",
      Params()
          .text(in.report_id)
          .text(in.machine_id)
          .text(in.hostname)
          .integer(static_cast<std::int64_t>(in.sequence))
          .optional(in.previous_sha256)
          .text(in.sha256)
          .integer(in.started_at)
          .integer(now)
          .text(in.format)
          .bytes(incoming.blob.bytes)
          .bytes(incoming.blob.signature)
          .text(in.signer_fingerprint)
          .text(in.signer_subject)
          .text(chain)
          .integer(in.compliant ? 1 : 0)
          .integer(in.counts.pass)
          .integer(in.counts.fail)
          .integer(in.counts.error)
          .integer(in.counts.not_applicable)
          .integer(in.counts.waived)
          .integer(in.counts.skipped));
  const std::int64_t id = inserted.integer(0, 0);
  insert_results(db, id, incoming.results);
  for (const NewAnomaly& anomaly : judgement.anomalies) insert_anomaly(db, in.machine_id, id, anomaly, now);
  for (const GapUpdate& update : judgement.gap_updates) {
    const Result origin =
        db.exec("UPDATE anomalies SET resolved_at = $1, resolution = $2 WHERE id = $3 AND resolved_at IS NULL "
                "RETURNING report",
                Params().integer(now).text(update.resolution).integer(update.anomaly_id));
    const std::optional<std::int64_t> report = origin.rows() > 0 ? origin.optional_integer(0, 0) : std::nullopt;
    for (const NewAnomaly& rest : update.remaining) insert_anomaly(db, in.machine_id, report, rest, now);
  }
  // The host's name, key (if the judge says so) and head in one statement
  // (three round trips before).
  db.exec("UPDATE hosts SET hostname = $3, cert_fingerprint = CASE WHEN $4 = 1 THEN $5 ELSE cert_fingerprint END, "
          "last_received = $2, latest_report = l.id, latest_started_at = l.started_at FROM "
          "(SELECT id, started_at FROM reports WHERE machine_id = $1 ORDER BY sequence DESC, id DESC LIMIT 1) l "
          "WHERE machine_id = $1",
          Params()
              .text(in.machine_id)
              .integer(now)
              .text(in.hostname)
              .integer(judgement.becomes_current_key ? 1 : 0)
              .text(in.signer_fingerprint));
  host.known = true;
  if (judgement.becomes_current_key) host.fingerprint = in.signer_fingerprint;
  // The row as stored, from what was just written (as sqlite_storage.cpp;
  // reading it back was one more round trip per report).
  ReportRow stored = in;
  stored.id = id;
  stored.received_at = now;
  stored.chain = chain;
  // Only this report's own anomalies name it (a gap's remainder keeps its
  // first report): none flagged, none to read back (one round trip less).
  return IngestResult{IngestStatus::stored, std::move(stored),
                      judgement.anomalies.empty() ? std::vector<AnomalyRow>{} : anomalies_of_report(db, id)};
}

IngestResult PostgresStorage::ingest(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now) {
  PendingIngest item{
      std::shared_ptr<const IncomingReport>(&incoming, [](const IncomingReport*) {}), judge, now, {}, {}, {}};
  auto l = lease();
  write_together(l.db(), std::span(&item, 1));
  if (item.error) std::rethrow_exception(item.error);
  return std::move(*item.result);
}

// Group commit: the reports of `items` in one transaction, one WAL flush
// (PostgreSQL's commit, synchronous_commit on, waits for it), host rows
// locked first in machine_id order. Returns false if one report's ingest
// threw: the transaction was rolled back, nothing is decided, and the
// caller writes them again one by one (as sqlite_storage.cpp does: a
// failure is rare; a SAVEPOINT per report would be two more round trips
// each).
bool PostgresStorage::write_together(Connection& db, std::span<PendingIngest> items) {
  try {
    Transaction transaction(db);
    auto hosts = lock_hosts(db, items);
    for (PendingIngest& item : items) {
      try {
        item.result = ingest_locked(db, *item.incoming, item.judge, item.now, hosts[item.incoming->row.machine_id]);
      } catch (...) {
        for (PendingIngest& other : items) other.result.reset();
        if (items.size() > 1) return false;  // rolled back by ~Transaction
        item.error = std::current_exception();
        return true;
      }
    }
    transaction.commit();
  } catch (...) {
    // Nothing committed (a lock wait ended in a deadlock, the connection
    // broke): one by one if there were several, else this one's error.
    for (PendingIngest& item : items) item.result.reset();
    if (items.size() > 1) return false;
    items.front().error = std::current_exception();
  }
  return true;
}

std::int64_t PostgresStorage::create_token(const TokenRow& token) {
  auto l = lease();
  return l.db()
      .exec("INSERT INTO tokens (secret_sha256, site, created_at, expires_at, uses_allowed) VALUES ($1, $2, $3, $4, $5) "
            "RETURNING id",
            Params()
                .text(token.secret_sha256)
                .text(token.site)
                .integer(token.created_at)
                .optional(token.expires_at)
                .integer(token.uses_allowed))
      .integer(0, 0);
}

std::vector<TokenRow> PostgresStorage::tokens() {
  auto l = lease();
  const Result s = l.db().exec(sql("SELECT ", kTokenColumns, " FROM tokens ORDER BY id").c_str());
  std::vector<TokenRow> rows;
  for (int i = 0; i < s.rows(); ++i) rows.push_back(read_token(s, i));
  return rows;
}

bool PostgresStorage::revoke_token(std::int64_t id, std::int64_t now) {
  auto l = lease();
  return l.db()
             .exec("UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 RETURNING id",
                   Params().integer(now).integer(id))
             .rows() > 0;
}

TokenGrant PostgresStorage::consume_token(const std::string& secret_sha256, std::int64_t now) {
  auto l = lease();
  Connection& db = l.db();
  Transaction transaction(db);
  const Result s = db.exec(sql("SELECT ", kTokenColumns, " FROM tokens WHERE secret_sha256 = $1 FOR UPDATE").c_str(),
                           Params().text(secret_sha256));
  if (s.rows() == 0) return {std::nullopt, TokenRefusal::unknown};
  TokenRow token = read_token(s, 0);
  if (const auto refusal = token_refusal(token, now)) return {std::nullopt, refusal};
  db.exec("UPDATE tokens SET uses = uses + 1 WHERE id = $1", Params().integer(token.id));
  transaction.commit();
  ++token.uses;
  return {token, std::nullopt};
}

void PostgresStorage::record_enrolment(const std::string& machine_id, const std::string& hostname,
                                       const std::string& site, const std::string& cert_fingerprint, std::int64_t now) {
  auto l = lease();
  Connection& db = l.db();
  Transaction transaction(db);
  db.exec("INSERT INTO hosts (machine_id, hostname, site, cert_fingerprint, first_seen) VALUES ($1, $2, $3, $4, $5) "
          "ON CONFLICT (machine_id) DO UPDATE SET site = excluded.site, cert_fingerprint = excluded.cert_fingerprint",
          Params().text(machine_id).text(hostname).text(site).text(cert_fingerprint).integer(now));
  db.exec(
      "INSERT INTO host_keys (machine_id, fingerprint, origin, first_seen, last_seen) VALUES ($1, $2, 'enrolment', $3, $3) "
      "ON CONFLICT (machine_id, fingerprint) DO UPDATE SET origin = 'enrolment'",
      Params().text(machine_id).text(cert_fingerprint).integer(now));
  db.exec(
      "INSERT INTO enrolments (machine_id, hostname, site, cert_fingerprint, enrolled_at) VALUES ($1, $2, $3, $4, $5)",
      Params().text(machine_id).text(hostname).text(site).text(cert_fingerprint).integer(now));
  transaction.commit();
}

std::vector<HostRow> PostgresStorage::hosts() {
  auto l = lease();
  return read_hosts(
      l.db().exec(sql("SELECT ", kHostColumns, " FROM hosts h ORDER BY h.hostname, h.machine_id").c_str()));
}

std::optional<HostRow> PostgresStorage::host(const std::string& machine_id) {
  auto l = lease();
  auto rows = read_hosts(l.db().exec(sql("SELECT ", kHostColumns, " FROM hosts h WHERE h.machine_id = $1").c_str(),
                                     Params().text(machine_id)));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<ReportRow> PostgresStorage::report(std::int64_t id) {
  auto l = lease();
  auto rows = read_reports(
      l.db().exec(sql("SELECT ", kReportColumns, " FROM reports r WHERE r.id = $1").c_str(), Params().integer(id)));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<ReportRow> PostgresStorage::report_by_report_id(const std::string& report_id) {
  auto l = lease();
  auto rows = read_reports(
      l.db().exec(sql("SELECT ", kReportColumns, " FROM reports r WHERE r.report_id = $1 ORDER BY r.id LIMIT 1").c_str(),
                  Params().text(report_id)));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<ReportRow> PostgresStorage::reports(const ReportQuery& query) {
  auto l = lease();
  const std::string order = query.newest_first ? "DESC, r.sequence DESC, r.id DESC" : "ASC, r.sequence ASC, r.id ASC";
  const std::string text =
      sql("SELECT ", kReportColumns,
          " FROM reports r WHERE ($1::text IS NULL OR r.machine_id = $1) AND ($2::bigint IS NULL OR "
          "r.started_at >= $2) AND ($3::bigint IS NULL OR r.started_at <= $3) ORDER BY r.started_at ") +
      order + " LIMIT $4 OFFSET $5";
  return read_reports(l.db().exec(text.c_str(), Params()
                                                    .optional(query.machine_id)
                                                    .optional(query.started_from)
                                                    .optional(query.started_to)
                                                    .integer(static_cast<std::int64_t>(query.limit))
                                                    .integer(static_cast<std::int64_t>(query.offset))));
}

std::vector<ReportRow> PostgresStorage::latest_reports_at(std::int64_t at) {
  auto l = lease();
  return read_reports(l.db().exec(
      sql("SELECT ", kReportColumns,
          " FROM hosts h JOIN LATERAL (SELECT * FROM reports x WHERE x.machine_id = h.machine_id AND x.started_at <= $1 "
          "ORDER BY x.started_at DESC, x.sequence DESC, x.id DESC LIMIT 1) r ON true ORDER BY h.hostname, h.machine_id")
          .c_str(),
      Params().integer(at)));
}

std::optional<ReportBlob> PostgresStorage::report_blob(std::int64_t id) {
  auto l = lease();
  const Result s = l.db().exec("SELECT bytes, signature FROM reports WHERE id = $1", Params().integer(id));
  if (s.rows() == 0) return std::nullopt;
  return ReportBlob{s.bytes(0, 0), s.bytes(0, 1)};
}

std::vector<ResultRow> PostgresStorage::results(std::int64_t report) {
  auto l = lease();
  return results_of(l.db(), report);
}

std::vector<AnomalyRow> PostgresStorage::anomalies(const AnomalyQuery& query) {
  auto l = lease();
  return read_anomalies(l.db().exec(
      sql("SELECT ", kAnomalyColumns,
          " FROM anomalies WHERE ($1::text IS NULL OR machine_id = $1) AND ($2::text IS NULL OR kind = $2) AND "
          "($3::bigint = 0 OR resolved_at IS NULL) ORDER BY detected_at DESC, id DESC LIMIT $4")
          .c_str(),
      Params()
          .optional(query.machine_id)
          .optional(query.kind)
          .integer(query.open_only ? 1 : 0)
          .integer(static_cast<std::int64_t>(query.limit))));
}

std::vector<AnomalyRow> PostgresStorage::report_anomalies(std::int64_t report) {
  auto l = lease();
  return anomalies_of_report(l.db(), report);
}

void PostgresStorage::for_each_report(const std::function<bool(const ReportRow&, const ReportBlob&)>& visit) {
  auto l = lease();
  // Keyset pagination: bounded memory whatever the number of reports.
  std::string machine;
  std::int64_t sequence = -1, id = -1;
  while (true) {
    const Result s =
        l.db().exec(sql("SELECT ", kReportColumns,
                        ", r.bytes, r.signature FROM reports r WHERE (r.machine_id, r.sequence, r.id) > ($1, $2, $3) "
                        "ORDER BY r.machine_id, r.sequence, r.id LIMIT 500")
                        .c_str(),
                    Params().text(machine).integer(sequence).integer(id));
    for (int i = 0; i < s.rows(); ++i) {
      const ReportRow row = read_report(s, i);
      if (!visit(row, ReportBlob{s.bytes(i, 20), s.bytes(i, 21)})) return;
      machine = row.machine_id;
      sequence = static_cast<std::int64_t>(row.sequence);
      id = row.id;
    }
    if (s.rows() < 500) return;
  }
}

std::size_t PostgresStorage::prune_reports(std::int64_t started_before) {
  // As SqliteStorage::prune_reports: per host, everything before the first
  // report to keep; batches of 500, each its own transaction (autocommit).
  // An ingest of the same host in between only adds reports after the head.
  static const char* const kPrune =
      "DELETE FROM reports WHERE id IN (SELECT r.id FROM reports r JOIN (SELECT k.machine_id, min(k.sequence) AS keep_from "
      "FROM reports k WHERE k.started_at >= $1 OR k.id = (SELECT h.latest_report FROM hosts h WHERE h.machine_id = "
      "k.machine_id) GROUP BY k.machine_id) m ON m.machine_id = r.machine_id WHERE r.sequence < m.keep_from LIMIT 500) "
      "RETURNING id";
  auto l = lease();
  std::size_t deleted = 0;
  while (true) {
    const int rows = l.db().exec(kPrune, Params().integer(started_before)).rows();
    deleted += static_cast<std::size_t>(rows);
    if (rows < 500) return deleted;
  }
}

std::size_t PostgresStorage::report_count() {
  auto l = lease();
  return static_cast<std::size_t>(l.db().exec("SELECT count(*) FROM reports").integer(0, 0));
}

}  // namespace clinic_audit::collector
