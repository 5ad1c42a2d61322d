// Storage on PostgreSQL through libpq (issue #11 items 6-7): several
// collector processes share one database. Ingest locks the host's row
// (SELECT ... FOR UPDATE) before it reads the history, so two collectors
// receiving one host's reports (or one report twice) at once are
// serialised: stored once, chain judged on the complete history.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "postgres_db.hpp"
#include "storage.hpp"

namespace clinic_audit::collector {

class PostgresStorage final : public Storage {
 public:
  explicit PostgresStorage(std::string url);
  ~PostgresStorage() override;

  int schema_version() override;
  void migrate() override;
  IngestResult ingest(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now) override;
  // Handed to a few writer threads, each one transaction a report on its
  // own connection: the server's workers do not wait for PostgreSQL's round
  // trips, and the server's WAL flush covers the commits that arrive
  // together (PostgreSQL's own group commit). Reports are not batched in
  // one transaction here: two collectors locking the host rows of two
  // batches in different orders would deadlock.
  void ingest_async(std::shared_ptr<const IncomingReport> incoming, ChainJudge judge, std::int64_t now,
                    IngestDone done) override;
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

 private:
  class Lease;  // a pooled connection, returned on destruction
  Lease lease();

  struct Job {
    std::shared_ptr<const IncomingReport> incoming;
    ChainJudge judge;
    std::int64_t now;
    IngestDone done;
  };
  static constexpr std::size_t kWriters = 8;
  void write_jobs();

  std::string url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<pg::Connection>> pool_;
  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;  // started by the first ingest_async
};

}  // namespace clinic_audit::collector
