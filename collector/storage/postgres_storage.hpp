// Storage on PostgreSQL through libpq (issue #11 items 6-7): several
// collector processes share one database. Ingest locks the host's row
// (SELECT ... FOR UPDATE) before it reads the history, so two collectors
// receiving one host's reports (or one report twice) at once are
// serialised: stored once, chain judged on the complete history.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "postgres_db.hpp"
#include "storage.hpp"

namespace clinic_audit::collector {

namespace pg {
// A host row locked by a batch's transaction, as the batch's reports change it.
struct LockedHost {
  bool known = false;       // existed before this transaction
  std::string fingerprint;  // hosts.cert_fingerprint now
};
}  // namespace pg

class PostgresStorage final : public Storage {
 public:
  explicit PostgresStorage(std::string url);
  ~PostgresStorage() override;

  int schema_version() override;
  void migrate() override;
  IngestResult ingest(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now) override;
  // Handed to a few writer threads, each on its own connection, each
  // writing what is queued (up to kMaxBatch reports) in one transaction
  // (group commit: one commit and WAL flush for the batch, as on SQLite).
  // A batch locks its host rows first, in machine_id order, so that two
  // batches (of this process or another collector) sharing hosts wait for
  // each other instead of deadlocking.
  void ingest_async(std::shared_ptr<const IncomingReport> incoming, ChainJudge judge, std::int64_t now,
                    IngestDone done) override;
  void drain() override;
  std::size_t prune_reports(std::int64_t started_before) override;
  std::int64_t create_token(const TokenRow& token) override;
  std::vector<TokenRow> tokens() override;
  bool revoke_token(std::int64_t id, std::int64_t now) override;
  TokenGrant consume_token(const std::string& secret_sha256, std::int64_t now) override;
  void record_enrolment(const std::string& machine_id, const std::string& hostname, const std::string& site,
                        const std::string& cert_fingerprint, std::int64_t now) override;
  std::vector<HostRow> hosts() override;
  std::optional<HostRow> host(const std::string& machine_id) override;
  std::optional<ReportRow> report(std::int64_t id) override;
  std::optional<ReportRow> report_by_report_id(const std::string& report_id) override;
  std::vector<ReportRow> reports(const ReportQuery& query) override;
  std::vector<ReportRow> latest_reports_at(std::int64_t at) override;
  std::optional<ReportBlob> report_blob(std::int64_t id) override;
  std::vector<ResultRow> results(std::int64_t report) override;
  std::vector<AnomalyRow> anomalies(const AnomalyQuery& query) override;
  std::vector<AnomalyRow> report_anomalies(std::int64_t report) override;
  void for_each_report(const std::function<bool(const ReportRow&, const ReportBlob&)>& visit) override;
  std::size_t report_count() override;

  // Batches rolled back and written again report by report (a report
  // failed, a lock wait ended in a deadlock): tests, benchmarks.
  std::uint64_t batches_written_singly() const { return batches_written_singly_.load(); }

 private:
  class Lease;  // a pooled connection, returned on destruction
  Lease lease();

  // Writer threads (connections) and reports per transaction: a batch's
  // reports all wait for its one commit, so a larger batch only adds
  // latency; several writers keep PostgreSQL busy while one commits.
  static constexpr std::size_t kWriters = 4;
  static constexpr std::size_t kMaxBatch = 64;
  void write_jobs();
  bool write_together(pg::Connection& db, std::span<PendingIngest> items);
  IngestResult ingest_locked(pg::Connection& db, const IncomingReport& incoming, const ChainJudge& judge,
                             std::int64_t now, pg::LockedHost& host);

  std::string url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<pg::Connection>> pool_;
  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<PendingIngest> jobs_;
  std::size_t writing_ = 0;  // jobs taken by a writer and not yet released
  std::condition_variable drained_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> batches_written_singly_{0};
  std::vector<std::thread> writers_;  // started by the first ingest_async
};

}  // namespace clinic_audit::collector
