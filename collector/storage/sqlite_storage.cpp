// Over 400 lines: every query of the Storage interface for SQLite, one backend
// per file (postgres_storage.cpp is the other) so that the two stay comparable
// query by query.
#include "sqlite_storage.hpp"

#include <algorithm>
#include <future>
#include <iterator>
#include <limits>
#include <span>

#include "same_run.hpp"
#include "sqlite_history.hpp"
#include "sqlite_schema.hpp"

namespace clinic_audit::collector {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr const char* kReportColumns =
    "r.id, r.report_id, r.machine_id, r.hostname, r.sequence, r.previous_sha256, r.sha256, r.started_at, "
    "r.received_at, r.format, r.signer_fingerprint, r.signer_subject, r.chain, r.compliant, r.n_pass, r.n_fail, "
    "r.n_error, r.n_not_applicable, r.n_waived, r.n_skipped";

ReportRow read_report(const Statement& s, int first = 0) {
  ReportRow row;
  int c = first;
  row.id = s.integer(c++);
  row.report_id = s.text(c++);
  row.machine_id = s.text(c++);
  row.hostname = s.text(c++);
  row.sequence = static_cast<std::uint64_t>(s.integer(c++));
  row.previous_sha256 = s.optional_text(c++);
  row.sha256 = s.text(c++);
  row.started_at = s.integer(c++);
  row.received_at = s.integer(c++);
  row.format = s.text(c++);
  row.signer_fingerprint = s.text(c++);
  row.signer_subject = s.text(c++);
  row.chain = s.text(c++);
  row.compliant = s.integer(c++) != 0;
  row.counts.pass = static_cast<int>(s.integer(c++));
  row.counts.fail = static_cast<int>(s.integer(c++));
  row.counts.error = static_cast<int>(s.integer(c++));
  row.counts.not_applicable = static_cast<int>(s.integer(c++));
  row.counts.waived = static_cast<int>(s.integer(c++));
  row.counts.skipped = static_cast<int>(s.integer(c++));
  return row;
}

constexpr const char* kAnomalyColumns =
    "id, machine_id, report, kind, detail, seq_from, seq_to, detected_at, resolved_at, resolution";

AnomalyRow read_anomaly(const Statement& s) {
  AnomalyRow row;
  row.id = s.integer(0);
  row.machine_id = s.text(1);
  row.report = s.optional_integer(2);
  row.kind = s.text(3);
  row.detail = s.text(4);
  if (auto v = s.optional_integer(5)) row.seq_from = static_cast<std::uint64_t>(*v);
  if (auto v = s.optional_integer(6)) row.seq_to = static_cast<std::uint64_t>(*v);
  row.detected_at = s.integer(7);
  row.resolved_at = s.optional_integer(8);
  row.resolution = s.text(9);
  return row;
}

constexpr const char* kHostColumns =
    "h.machine_id, h.hostname, h.site, h.cert_fingerprint, h.first_seen, h.last_received, h.latest_report, "
    "h.latest_started_at, (SELECT count(*) FROM anomalies a WHERE a.machine_id = h.machine_id AND a.resolved_at IS NULL)";

HostRow read_host(const Statement& s) {
  HostRow row;
  row.machine_id = s.text(0);
  row.hostname = s.text(1);
  row.site = s.text(2);
  row.cert_fingerprint = s.text(3);
  row.first_seen = s.integer(4);
  row.last_received = s.optional_integer(5);
  row.latest_report = s.optional_integer(6);
  row.latest_started_at = s.optional_integer(7);
  row.open_anomalies = static_cast<int>(s.integer(8));
  return row;
}

constexpr const char* kTokenColumns = "id, secret_sha256, site, created_at, expires_at, uses_allowed, uses, revoked_at";

TokenRow read_token(const Statement& s) {
  TokenRow row;
  row.id = s.integer(0);
  row.secret_sha256 = s.text(1);
  row.site = s.text(2);
  row.created_at = s.integer(3);
  row.expires_at = s.optional_integer(4);
  row.uses_allowed = static_cast<int>(s.integer(5));
  row.uses = static_cast<int>(s.integer(6));
  row.revoked_at = s.optional_integer(7);
  return row;
}

std::optional<std::int64_t> to_db(const std::optional<std::uint64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

// BEGIN IMMEDIATE takes the write lock at once, so two ingests (threads or
// processes) of one host are serialised before either reads the history.
class Transaction {
 public:
  explicit Transaction(Connection& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be done in a destructor
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

int read_version(Connection& db) {
  Statement exists(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  exists.step();
  if (exists.integer(0) == 0) return 0;
  Statement version(db, "SELECT version FROM schema_version");
  return version.step() ? static_cast<int>(version.integer(0)) : 0;
}

std::int64_t insert_anomaly(Connection& db, const std::string& machine_id, std::optional<std::int64_t> report,
                            const NewAnomaly& anomaly, std::int64_t now) {
  Statement s(db, "INSERT INTO anomalies (machine_id, report, kind, detail, seq_from, seq_to, detected_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, machine_id).bind(2, report).bind(3, anomaly.kind).bind(4, anomaly.detail);
  s.bind(5, to_db(anomaly.seq_from)).bind(6, to_db(anomaly.seq_to)).bind(7, now).run();
  return db.last_insert_id();
}

std::vector<AnomalyRow> anomalies_of_report(Connection& db, std::int64_t report) {
  Statement s(db, (std::string("SELECT ") + kAnomalyColumns + " FROM anomalies WHERE report = ? ORDER BY id").c_str());
  s.bind(1, report);
  std::vector<AnomalyRow> rows;
  while (s.step()) rows.push_back(read_anomaly(s));
  return rows;
}

std::vector<ResultRow> results_of(Connection& db, std::int64_t report) {
  Statement s(db, "SELECT report, position, check_id, policy_id, type, title, severity, status, summary, evidence, "
                  "remediation FROM results WHERE report = ? ORDER BY position");
  s.bind(1, report);
  std::vector<ResultRow> rows;
  while (s.step()) {
    rows.push_back({s.integer(0), static_cast<int>(s.integer(1)), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6),
                    s.text(7), s.text(8), s.text(9), s.text(10)});
  }
  return rows;
}

std::optional<ReportRow> report_where(Connection& db, const char* where, auto value) {
  Statement s(db, (std::string("SELECT ") + kReportColumns + " FROM reports r WHERE " + where).c_str());
  s.bind(1, value);
  if (!s.step()) return std::nullopt;
  return read_report(s);
}

// What the judge gets for `in` (records.hpp, ChainHistory): the host's
// current key, the links (sqlite_history.hpp), every key and the open gaps.
ChainHistory load_history(Connection& db, const ReportRow& in) {
  const std::string& machine_id = in.machine_id;
  ChainHistory history;
  {
    Statement s(db, "SELECT cert_fingerprint FROM hosts WHERE machine_id = ?");
    s.bind(1, machine_id);
    if (s.step()) {
      history.known_host = true;
      history.current_fingerprint = s.text(0);
    }
  }
  history.links = sqlite::load_chain_links(db, in);
  {
    Statement s(
        db,
        "SELECT fingerprint, origin, first_seen, last_seen FROM host_keys WHERE machine_id = ? ORDER BY first_seen");
    s.bind(1, machine_id);
    while (s.step()) history.keys.push_back({s.text(0), s.text(1), s.integer(2), s.integer(3)});
  }
  {
    Statement s(db, (std::string("SELECT ") + kAnomalyColumns +
                     " FROM anomalies WHERE machine_id = ? AND kind = 'gap' AND resolved_at IS NULL ORDER BY seq_from")
                        .c_str());
    s.bind(1, machine_id);
    while (s.step()) history.open_gaps.push_back(read_anomaly(s));
  }
  return history;
}

}  // namespace

class SqliteStorage::Reader {
 public:
  Reader(SqliteStorage& owner, std::unique_ptr<Connection> connection)
      : owner_(owner), connection_(std::move(connection)) {}
  ~Reader() {
    const std::lock_guard lock(owner_.pool_mutex_);
    owner_.pool_.push_back(std::move(connection_));
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  Connection& db() { return *connection_; }

 private:
  SqliteStorage& owner_;
  std::unique_ptr<Connection> connection_;
};

SqliteStorage::SqliteStorage(std::filesystem::path path, int checkpoint_frames) : path_(std::move(path)) {
  writer_ = open_connection();
  // 16 KiB pages for a new database (a no-op on an existing one; it must
  // precede WAL mode): a report is 20-40 KB of bytes, and SQLite writes
  // each WAL frame with two pwrite(2) calls, one frame per page. With 4 KiB
  // pages a report took about 30 system calls to commit and checkpoint
  // (pwrite was a sixth of the ingest's CPU, perf); 16 KiB divides that by
  // four. https://sqlite.org/pragma.html#pragma_page_size
  writer_->exec("PRAGMA page_size = 16384");
  // WAL: readers (dashboard, export) never block the ingest writer.
  // https://sqlite.org/wal.html
  writer_->exec("PRAGMA journal_mode = WAL");
  // A group commit writes up to kMaxBatch reports (~100 KB each with their
  // results and indexes): a page cache of SQLite's default 2 MB spilled
  // them to the WAL before the commit, and wrote them again.
  writer_->exec("PRAGMA cache_size = -65536");
  // Checkpoints off the writer's thread (sqlite_checkpointer.hpp): the
  // copy of the WAL into the database and its two fsyncs held up every
  // report queued behind the commit that crossed wal_autocheckpoint.
  checkpointer_ = std::make_unique<sqlite::WalCheckpointer>([this] { return open_connection(); }, checkpoint_frames);
  checkpointer_->attach(*writer_);
}

SqliteStorage::~SqliteStorage() = default;

std::unique_ptr<Connection> SqliteStorage::open_connection() {
  auto db = std::make_unique<Connection>(path_.string());
  // FULL: the WAL is synced at every commit, so an acknowledged report
  // survives a power loss, not only a crash of the process.
  db->exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
  return db;
}

SqliteStorage::Reader SqliteStorage::reader() {
  {
    const std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto connection = std::move(pool_.back());
      pool_.pop_back();
      return Reader(*this, std::move(connection));
    }
  }
  return Reader(*this, open_connection());
}

int SqliteStorage::schema_version() {
  const std::lock_guard lock(write_mutex_);
  return read_version(*writer_);
}

void SqliteStorage::migrate() {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(*writer_);
  const int current = read_version(*writer_);
  const auto& steps = sqlite::migrations();
  if (current > static_cast<int>(steps.size())) {
    throw StorageError("database " + path_.string() + " has schema version " + std::to_string(current) +
                       ", newer than this collector's " + std::to_string(steps.size()) +
                       ": upgrade clinic-audit-collector (refusing to touch it)");
  }
  if (current == 0)
    writer_->exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0);");
  for (int version = current + 1; version <= static_cast<int>(steps.size()); ++version) {
    writer_->exec(steps[static_cast<std::size_t>(version - 1)]);
    Statement s(*writer_, "UPDATE schema_version SET version = ?");
    s.bind(1, std::int64_t{version}).run();
  }
  transaction.commit();
}

IngestResult SqliteStorage::ingest(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now) {
  std::promise<IngestResult> promise;
  auto future = promise.get_future();
  // Not owned: this call waits for `done`, so `incoming` outlives the write.
  ingest_async(std::shared_ptr<const IncomingReport>(&incoming, [](const IncomingReport*) {}), judge, now,
               [&promise](std::optional<IngestResult> result, std::exception_ptr error) {
                 if (error) {
                   promise.set_exception(error);
                 } else {
                   promise.set_value(std::move(*result));
                 }
               });
  return future.get();
}

void SqliteStorage::ingest_async(std::shared_ptr<const IncomingReport> incoming, ChainJudge judge, std::int64_t now,
                                 IngestDone done) {
  std::unique_lock lock(queue_mutex_);
  queue_.push_back({std::move(incoming), std::move(judge), now, std::move(done), std::nullopt, nullptr});
  if (writing_) return;  // the writing thread takes it into its next batch
  writing_ = true;
  std::vector<PendingIngest> batch;
  while (!queue_.empty()) {
    if (queue_.size() <= kMaxBatch) {
      batch.swap(queue_);
    } else {
      const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(kMaxBatch);
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
    }
    lock.unlock();
    write_batch(batch);
    // Committed (or failed as a whole): only now does anyone learn of it.
    for (PendingIngest& item : batch) {
      try {
        item.done(std::move(item.result), item.error);
      } catch (...) {  // NOLINT(bugprone-empty-catch): `done` must not throw; the others still get theirs
      }
    }
    batch.clear();
    {
      const std::lock_guard write_lock(write_mutex_);
      checkpointer_->writer_idle(*writer_);
    }
    lock.lock();
  }
  writing_ = false;
  drained_.notify_all();
}

void SqliteStorage::drain() {
  std::unique_lock lock(queue_mutex_);
  drained_.wait(lock, [this] { return !writing_ && queue_.empty(); });
}

void SqliteStorage::write_batch(std::vector<PendingIngest>& batch) {
  const std::lock_guard lock(write_mutex_);
  if (write_together(batch)) return;
  // One report's ingest failed and the batch was rolled back: each again
  // in a transaction of its own, so the others are stored all the same.
  for (PendingIngest& item : batch) write_together(std::span(&item, 1));
}

// No SAVEPOINT per report: SQLite keeps, for a savepoint, the original of
// every page an earlier report of the transaction already changed (the
// index leaves, the tables' last pages) in a statement journal, which
// spills to a temporary file past 64 KiB: 13 pwrite(2) of 16 KiB per
// report (strace), more than the report's own WAL frames. A failure is
// rare (the judge throws, the disk is full), so the batch is optimistic
// and written again one by one when it happens.
bool SqliteStorage::write_together(std::span<PendingIngest> items) {
  try {
    Transaction transaction(*writer_);
    for (PendingIngest& item : items) {
      try {
        item.result = ingest_one(*item.incoming, item.judge, item.now);
      } catch (...) {
        for (PendingIngest& other : items) other.result.reset();
        if (items.size() > 1) return false;  // rolled back by ~Transaction
        item.error = std::current_exception();
        return true;
      }
    }
    transaction.commit();
  } catch (...) {
    // Nothing of the batch is committed: every waiting ingest fails.
    for (PendingIngest& item : items) {
      item.result.reset();
      if (!item.error) item.error = std::current_exception();
    }
  }
  return true;
}

// One report, inside the batch's transaction (see write_together).
IngestResult SqliteStorage::ingest_one(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now) {
  Connection& db = *writer_;
  const ReportRow& in = incoming.row;
  if (auto existing = report_where(db, "r.sha256 = ?", std::string_view(in.sha256))) {
    return IngestResult{IngestStatus::duplicate, *existing, anomalies_of_report(db, existing->id)};
  }
  // The same run's report in its other format (JSON and XML carry the same
  // report_id, sequence and previous hash): one report, already stored.
  {
    Statement s(db, (std::string("SELECT ") + kReportColumns +
                     " FROM reports r WHERE r.machine_id = ? AND r.report_id = ? AND r.sequence = ? AND r.format <> ? "
                     "AND r.previous_sha256 IS ? ORDER BY r.id LIMIT 1")
                        .c_str());
    s.bind(1, in.machine_id).bind(2, in.report_id).bind(3, static_cast<std::int64_t>(in.sequence)).bind(4, in.format);
    s.bind(5, in.previous_sha256);
    if (s.step()) {
      const ReportRow existing = read_report(s);
      s.reset();
      if (same_run_content(existing, results_of(db, existing.id), incoming)) {
        return IngestResult{IngestStatus::duplicate, existing, anomalies_of_report(db, existing.id)};
      }
      // Same identifiers, other content: judged as any other report.
    }
  }
  const ChainHistory history = load_history(db, in);
  const Judgement judgement = judge(history, incoming);

  {
    Statement s(db, "INSERT INTO hosts (machine_id, hostname, cert_fingerprint, first_seen) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (machine_id) DO UPDATE SET hostname = excluded.hostname");
    s.bind(1, in.machine_id).bind(2, in.hostname).bind(3, in.signer_fingerprint).bind(4, now).run();
  }
  if (judgement.becomes_current_key) {
    Statement s(db, "UPDATE hosts SET cert_fingerprint = ? WHERE machine_id = ?");
    s.bind(1, in.signer_fingerprint).bind(2, in.machine_id).run();
  }
  {
    Statement s(
        db,
        "INSERT INTO host_keys (machine_id, fingerprint, origin, first_seen, last_seen) VALUES (?, ?, 'report', ?, ?) "
        "ON CONFLICT (machine_id, fingerprint) DO UPDATE SET last_seen = excluded.last_seen");
    s.bind(1, in.machine_id).bind(2, in.signer_fingerprint).bind(3, now).bind(4, now).run();
  }
  const std::string chain = judgement.anomalies.empty() ? "ok" : "anomaly";
  {
    Statement s(db,
                "INSERT INTO reports (report_id, machine_id, hostname, sequence, previous_sha256, sha256, started_at, "
                "received_at, format, bytes, signature, signer_fingerprint, signer_subject, chain, compliant, n_pass, "
                "n_fail, n_error, n_not_applicable, n_waived, n_skipped) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, in.report_id).bind(2, in.machine_id).bind(3, in.hostname);
    s.bind(4, static_cast<std::int64_t>(in.sequence)).bind(5, in.previous_sha256).bind(6, in.sha256);
    s.bind(7, in.started_at).bind(8, now).bind(9, in.format);
    s.bind_blob_unowned(10, incoming.blob.bytes).bind_blob_unowned(11, incoming.blob.signature);
    s.bind(12, in.signer_fingerprint).bind(13, in.signer_subject).bind(14, chain);
    s.bind(15, std::int64_t{in.compliant ? 1 : 0});
    s.bind(16, std::int64_t{in.counts.pass}).bind(17, std::int64_t{in.counts.fail});
    s.bind(18, std::int64_t{in.counts.error}).bind(19, std::int64_t{in.counts.not_applicable});
    s.bind(20, std::int64_t{in.counts.waived}).bind(21, std::int64_t{in.counts.skipped});
    s.run();
  }
  const std::int64_t id = db.last_insert_id();
  {
    Statement s(db,
                "INSERT INTO results (report, position, check_id, policy_id, type, title, severity, status, summary, "
                "evidence, remediation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const ResultRow& r : incoming.results) {
      s.reset();
      // `incoming` outlives the statement: its texts are bound, not copied.
      s.bind(1, id).bind(2, std::int64_t{r.position}).bind_unowned(3, r.check_id).bind_unowned(4, r.policy_id);
      s.bind_unowned(5, r.type).bind_unowned(6, r.title).bind_unowned(7, r.severity).bind_unowned(8, r.status);
      s.bind_unowned(9, r.summary).bind_unowned(10, r.evidence_json).bind_unowned(11, r.remediation).run();
    }
  }
  for (const NewAnomaly& anomaly : judgement.anomalies) insert_anomaly(db, in.machine_id, id, anomaly, now);
  for (const GapUpdate& update : judgement.gap_updates) {
    Statement s(db, "UPDATE anomalies SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL");
    s.bind(1, now).bind(2, update.resolution).bind(3, update.anomaly_id).run();
    std::optional<std::int64_t> origin;
    {
      Statement o(db, "SELECT report FROM anomalies WHERE id = ?");
      o.bind(1, update.anomaly_id);
      if (o.step()) origin = o.optional_integer(0);
    }
    for (const NewAnomaly& rest : update.remaining) insert_anomaly(db, in.machine_id, origin, rest, now);
  }
  {
    Statement s(db,
                "UPDATE hosts SET last_received = ?2, latest_report = (SELECT id FROM reports WHERE machine_id = ?1 "
                "ORDER BY sequence DESC, id DESC LIMIT 1), latest_started_at = (SELECT started_at FROM reports WHERE "
                "machine_id = ?1 ORDER BY sequence DESC, id DESC LIMIT 1) WHERE machine_id = ?1");
    s.bind(1, in.machine_id).bind(2, now).run();
  }
  // The row as stored, from what was just written (reading it back walked
  // the overflow pages of its bytes to reach the columns after them).
  ReportRow stored = in;
  stored.id = id;
  stored.received_at = now;
  stored.chain = chain;
  return IngestResult{IngestStatus::stored, std::move(stored), anomalies_of_report(db, id)};
}

std::size_t SqliteStorage::prune_reports(std::int64_t started_before) {
  // Per host, keep_from = the smallest sequence among the reports to keep
  // (started recently, or the head); everything before it goes. Batches of
  // 500 in their own transaction: an ingest waits for one batch at most.
  static const char* const kPrune =
      "DELETE FROM reports WHERE id IN (SELECT r.id FROM reports r JOIN (SELECT k.machine_id, min(k.sequence) AS keep_from "
      "FROM reports k WHERE k.started_at >= ?1 OR k.id = (SELECT h.latest_report FROM hosts h WHERE h.machine_id = "
      "k.machine_id) GROUP BY k.machine_id) m ON m.machine_id = r.machine_id WHERE r.sequence < m.keep_from LIMIT 500)";
  std::size_t deleted = 0;
  while (true) {
    const std::lock_guard lock(write_mutex_);
    Transaction transaction(*writer_);
    Statement s(*writer_, kPrune);
    s.bind(1, started_before).run();
    const int changes = writer_->changes();
    transaction.commit();
    deleted += static_cast<std::size_t>(changes);
    if (changes < 500) return deleted;
  }
}

std::int64_t SqliteStorage::create_token(const TokenRow& token) {
  const std::lock_guard lock(write_mutex_);
  Statement s(*writer_,
              "INSERT INTO tokens (secret_sha256, site, created_at, expires_at, uses_allowed) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, token.secret_sha256).bind(2, token.site).bind(3, token.created_at).bind(4, token.expires_at);
  s.bind(5, std::int64_t{token.uses_allowed}).run();
  return writer_->last_insert_id();
}

std::vector<TokenRow> SqliteStorage::tokens() {
  Reader r = reader();
  Statement s(r.db(), (std::string("SELECT ") + kTokenColumns + " FROM tokens ORDER BY id").c_str());
  std::vector<TokenRow> rows;
  while (s.step()) rows.push_back(read_token(s));
  return rows;
}

bool SqliteStorage::revoke_token(std::int64_t id, std::int64_t now) {
  const std::lock_guard lock(write_mutex_);
  Statement s(*writer_, "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?");
  s.bind(1, now).bind(2, id).run();
  return writer_->changes() > 0;
}

TokenGrant SqliteStorage::consume_token(const std::string& secret_sha256, std::int64_t now) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(*writer_);
  Statement s(*writer_, (std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE secret_sha256 = ?").c_str());
  s.bind(1, secret_sha256);
  if (!s.step()) return {std::nullopt, TokenRefusal::unknown};
  TokenRow token = read_token(s);
  if (const auto refusal = token_refusal(token, now)) return {std::nullopt, refusal};
  Statement use(*writer_, "UPDATE tokens SET uses = uses + 1 WHERE id = ?");
  use.bind(1, token.id).run();
  transaction.commit();
  ++token.uses;
  return {token, std::nullopt};
}

void SqliteStorage::record_enrolment(const std::string& machine_id, const std::string& hostname,
                                     const std::string& site, const std::string& cert_fingerprint, std::int64_t now) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(*writer_);
  {
    Statement s(
        *writer_,
        "INSERT INTO hosts (machine_id, hostname, site, cert_fingerprint, first_seen) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (machine_id) DO UPDATE SET site = excluded.site, cert_fingerprint = excluded.cert_fingerprint");
    s.bind(1, machine_id).bind(2, hostname).bind(3, site).bind(4, cert_fingerprint).bind(5, now).run();
  }
  {
    Statement s(
        *writer_,
        "INSERT INTO host_keys (machine_id, fingerprint, origin, first_seen, last_seen) "
        "VALUES (?, ?, 'enrolment', ?, ?) ON CONFLICT (machine_id, fingerprint) DO UPDATE SET origin = 'enrolment'");
    s.bind(1, machine_id).bind(2, cert_fingerprint).bind(3, now).bind(4, now).run();
  }
  {
    Statement s(
        *writer_,
        "INSERT INTO enrolments (machine_id, hostname, site, cert_fingerprint, enrolled_at) VALUES (?, ?, ?, ?, ?)");
    s.bind(1, machine_id).bind(2, hostname).bind(3, site).bind(4, cert_fingerprint).bind(5, now).run();
  }
  transaction.commit();
}

std::vector<HostRow> SqliteStorage::hosts() {
  Reader r = reader();
  Statement s(r.db(),
              (std::string("SELECT ") + kHostColumns + " FROM hosts h ORDER BY h.hostname, h.machine_id").c_str());
  std::vector<HostRow> rows;
  while (s.step()) rows.push_back(read_host(s));
  return rows;
}

std::optional<HostRow> SqliteStorage::host(const std::string& machine_id) {
  Reader r = reader();
  Statement s(r.db(), (std::string("SELECT ") + kHostColumns + " FROM hosts h WHERE h.machine_id = ?").c_str());
  s.bind(1, machine_id);
  if (!s.step()) return std::nullopt;
  return read_host(s);
}

std::optional<ReportRow> SqliteStorage::report(std::int64_t id) {
  Reader r = reader();
  return report_where(r.db(), "r.id = ?", id);
}

std::optional<ReportRow> SqliteStorage::report_by_report_id(const std::string& report_id) {
  Reader r = reader();
  return report_where(r.db(), "r.report_id = ? ORDER BY r.id LIMIT 1", std::string_view(report_id));
}

std::vector<ReportRow> SqliteStorage::reports(const ReportQuery& query) {
  Reader r = reader();
  std::string sql = std::string("SELECT ") + kReportColumns +
                    " FROM reports r WHERE (?1 IS NULL OR r.machine_id = ?1) AND (?2 IS NULL OR r.started_at >= ?2) "
                    "AND (?3 IS NULL OR r.started_at <= ?3) ORDER BY r.started_at " +
                    (query.newest_first ? "DESC, r.sequence DESC, r.id DESC" : "ASC, r.sequence ASC, r.id ASC") +
                    " LIMIT ?4 OFFSET ?5";
  Statement s(r.db(), sql.c_str());
  s.bind(1, query.machine_id).bind(2, query.started_from).bind(3, query.started_to);
  s.bind(4, static_cast<std::int64_t>(query.limit)).bind(5, static_cast<std::int64_t>(query.offset));
  std::vector<ReportRow> rows;
  while (s.step()) rows.push_back(read_report(s));
  return rows;
}

std::vector<ReportRow> SqliteStorage::latest_reports_at(std::int64_t at) {
  Reader r = reader();
  // One index seek per host on reports_host_started.
  Statement s(r.db(), (std::string("SELECT ") + kReportColumns +
                       " FROM hosts h JOIN reports r ON r.id = (SELECT x.id FROM reports x WHERE x.machine_id = "
                       "h.machine_id AND x.started_at <= ?1 ORDER BY x.started_at DESC, x.sequence DESC, x.id DESC "
                       "LIMIT 1) ORDER BY h.hostname, h.machine_id")
                          .c_str());
  s.bind(1, at);
  std::vector<ReportRow> rows;
  while (s.step()) rows.push_back(read_report(s));
  return rows;
}

std::optional<ReportBlob> SqliteStorage::report_blob(std::int64_t id) {
  Reader r = reader();
  Statement s(r.db(), "SELECT bytes, signature FROM reports WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return ReportBlob{s.blob(0), s.blob(1)};
}

std::vector<ResultRow> SqliteStorage::results(std::int64_t report) {
  Reader r = reader();
  return results_of(r.db(), report);
}

std::vector<AnomalyRow> SqliteStorage::anomalies(const AnomalyQuery& query) {
  Reader r = reader();
  Statement s(r.db(), (std::string("SELECT ") + kAnomalyColumns +
                       " FROM anomalies WHERE (?1 IS NULL OR machine_id = ?1) AND (?2 IS NULL OR kind = ?2) AND "
                       "(?3 = 0 OR resolved_at IS NULL) ORDER BY detected_at DESC, id DESC LIMIT ?4")
                          .c_str());
  s.bind(1, query.machine_id).bind(2, query.kind).bind(3, std::int64_t{query.open_only ? 1 : 0});
  s.bind(4, static_cast<std::int64_t>(query.limit));
  std::vector<AnomalyRow> rows;
  while (s.step()) rows.push_back(read_anomaly(s));
  return rows;
}

std::vector<AnomalyRow> SqliteStorage::report_anomalies(std::int64_t report) {
  Reader r = reader();
  return anomalies_of_report(r.db(), report);
}

void SqliteStorage::for_each_report(const std::function<bool(const ReportRow&, const ReportBlob&)>& visit) {
  Reader r = reader();
  Statement s(r.db(), (std::string("SELECT ") + kReportColumns +
                       ", r.bytes, r.signature FROM reports r ORDER BY r.machine_id, r.sequence, r.id")
                          .c_str());
  while (s.step()) {
    if (!visit(read_report(s), ReportBlob{s.blob(20), s.blob(21)})) break;
  }
}

std::size_t SqliteStorage::report_count() {
  Reader r = reader();
  Statement s(r.db(), "SELECT count(*) FROM reports");
  s.step();
  return static_cast<std::size_t>(s.integer(0));
}

}  // namespace clinic_audit::collector
