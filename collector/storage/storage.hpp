// The collector's one storage interface (issue #11 item 6; STYLE.md §10:
// one interface, one test suite every implementation passes). Two
// implementations: SQLite (WAL, the default) and PostgreSQL (libpq).
//
// Every method is safe to call from several threads at once. Writes that
// acknowledge something to a client (ingest, consume_token) return only
// after their transaction committed.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "records.hpp"

namespace clinic_audit::collector {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database is busy or unreachable right now: the ingest route answers
// 503 + Retry-After rather than 500.
class StorageUnavailable : public StorageError {
 public:
  using StorageError::StorageError;
};

inline constexpr int kSchemaVersion = 2;

// Decides the chain verdict of `incoming` given the host's history. Called
// inside the ingest transaction, with the host locked against concurrent
// ingests (also from another collector process on PostgreSQL).
using ChainJudge = std::function<Judgement(const ChainHistory& history, const IncomingReport& incoming)>;

// How an asynchronous ingest ends: a result, or the error (result empty).
using IngestDone = std::function<void(std::optional<IngestResult> result, std::exception_ptr error)>;

// A report queued for a back end's writing thread (ingest_async), and what
// became of it once its batch was written: `result` or `error`, handed to
// `done` after the commit. One shape for every back end.
struct PendingIngest {
  std::shared_ptr<const IncomingReport> incoming;
  ChainJudge judge;
  std::int64_t now = 0;
  IngestDone done;
  std::optional<IngestResult> result;
  std::exception_ptr error;
};

struct ReportQuery {
  std::optional<std::string> machine_id;
  std::optional<std::int64_t> started_from, started_to;  // inclusive, run.started_at
  std::size_t limit = 1000;
  std::size_t offset = 0;
  bool newest_first = true;
};

struct AnomalyQuery {
  std::optional<std::string> machine_id;
  std::optional<std::string> kind;
  bool open_only = false;
  std::size_t limit = 1000;
};

enum class TokenRefusal { unknown, expired, revoked, used_up };
const char* to_string(TokenRefusal refusal);
// Why `token` cannot be used at `now` (revoked, past its expiry, used up),
// or nothing: the one rule consume_token applies in both backends, and the
// enrolment's check before it reads the CSR.
std::optional<TokenRefusal> token_refusal(const TokenRow& token, std::int64_t now);

struct TokenGrant {
  std::optional<TokenRow> token;        // set when the use was granted (uses already incremented)
  std::optional<TokenRefusal> refusal;  // set otherwise
};

class Storage {
 public:
  virtual ~Storage() = default;

  // --- schema ---------------------------------------------------------
  // 0 for an empty database.
  virtual int schema_version() = 0;
  // Creates or upgrades the schema to kSchemaVersion; throws StorageError
  // naming both versions if the database is newer than this program.
  virtual void migrate() = 0;

  // --- ingest ---------------------------------------------------------
  // One transaction: lock the host, return `duplicate` if these exact bytes
  // are stored (sha256) or the same run's report in its other format is
  // (same machine_id, report_id, sequence and previous_sha256), else load the history, judge, store the report,
  // its results and anomalies, update the host, commit.
  virtual IngestResult ingest(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now) = 0;

  // The same ingest without waiting for it: the server's workers go on
  // verifying the next reports while this one waits for its commit (a
  // worker blocked on each fsync kept the 2 cores half idle). `done` gets
  // the result, or the exception ingest() would have thrown; it runs once,
  // on whichever thread wrote the transaction, only after COMMIT returned
  // (DESIGN.md §7: nothing is acknowledged before it is durable), and must
  // not throw, nor call ingest() (it may run on the thread that writes).
  // This default simply calls ingest().
  virtual void ingest_async(std::shared_ptr<const IncomingReport> incoming, ChainJudge judge, std::int64_t now,
                            IngestDone done) {
    std::optional<IngestResult> result;
    std::exception_ptr error;
    try {
      result = ingest(*incoming, judge, now);
    } catch (...) {
      error = std::current_exception();
    }
    done(std::move(result), error);
  }
  // Returns once every ingest_async() call made so far has finished, its
  // `done` called and released: the server calls it after it stopped
  // taking requests and before the objects those callbacks use go away.
  virtual void drain() {}

  // --- retention (<retention days>) -----------------------------------
  // Deletes, per host, the oldest reports (with their results): those
  // before, in sequence order, the host's first report to keep. A report is
  // kept if it started at or after `started_before`, and the host's latest
  // report (the chain head the next report links to) is always kept. What
  // remains of each chain is therefore an unbroken suffix, which `verify`
  // still checks link by link. Anomalies stay (their report column becomes
  // NULL). Works in small transactions so ingest is never held up long.
  // Returns how many reports were deleted.
  virtual std::size_t prune_reports(std::int64_t started_before) = 0;

  // --- enrolment ------------------------------------------------------
  virtual std::int64_t create_token(const TokenRow& token) = 0;
  virtual std::vector<TokenRow> tokens() = 0;
  // False when no such token.
  virtual bool revoke_token(std::int64_t id, std::int64_t now) = 0;
  // Checks the token (by the SHA-256 of its secret) and counts one use, atomically.
  virtual TokenGrant consume_token(const std::string& secret_sha256, std::int64_t now) = 0;
  // A certificate issued by enrolment: the host's site label and an
  // explicit (re-)key, so a new key for this machine-id is not an
  // identity change.
  virtual void record_enrolment(const std::string& machine_id, const std::string& hostname, const std::string& site,
                                const std::string& cert_fingerprint, std::int64_t now) = 0;

  // --- reads (export, verify, dashboard, read API) ----------------------
  virtual std::vector<HostRow> hosts() = 0;
  virtual std::optional<HostRow> host(const std::string& machine_id) = 0;
  virtual std::optional<ReportRow> report(std::int64_t id) = 0;
  virtual std::optional<ReportRow> report_by_report_id(const std::string& report_id) = 0;
  virtual std::vector<ReportRow> reports(const ReportQuery& query) = 0;
  // Each host's latest report (by run.started_at, then sequence) started at
  // or before `at`; one row per host that has one.
  virtual std::vector<ReportRow> latest_reports_at(std::int64_t at) = 0;
  virtual std::optional<ReportBlob> report_blob(std::int64_t id) = 0;
  virtual std::vector<ResultRow> results(std::int64_t report) = 0;
  virtual std::vector<AnomalyRow> anomalies(const AnomalyQuery& query) = 0;
  // Anomalies flagged on one report.
  virtual std::vector<AnomalyRow> report_anomalies(std::int64_t report) = 0;
  // Every stored report in (machine_id, sequence, id) order, with its bytes
  // (for `verify`); stops when `visit` returns false.
  virtual void for_each_report(const std::function<bool(const ReportRow&, const ReportBlob&)>& visit) = 0;
  virtual std::size_t report_count() = 0;
};

// Opens the database of a `<database url="...">`: "sqlite:PATH" or
// "postgresql://..." / "postgres://..." (libpq connection URI). Throws
// StorageError naming the URL's problem (never the password).
std::unique_ptr<Storage> open_storage(const std::string& url);

}  // namespace clinic_audit::collector
