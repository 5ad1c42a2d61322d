// Storage on SQLite (issue #11 item 6: the default, one file under
// /var/lib/clinic-audit-collector). WAL journal (readers never block the
// writer), synchronous=FULL (a commit is on disk before the 200/201 goes
// out), foreign keys on. Writes go through one connection under a mutex
// (SQLite has one writer anyway); reads use a small pool of connections.
//
// Group commit: ingests arriving while a transaction is being written are
// queued and then written together in one transaction and one fsync (if
// one fails, the batch is rolled back and written again report by report,
// so one failing does not undo the others). Each still
// sees the ones before it (same transaction), and none is answered before
// the COMMIT returned. The thread that finds no write under way becomes the
// writer and writes batches until the queue is empty; the others (server
// workers, through ingest_async) return at once to verify further reports.
#pragma once

#include <condition_variable>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "sqlite_checkpointer.hpp"
#include "sqlite_db.hpp"
#include "storage.hpp"

namespace clinic_audit::collector {

class SqliteStorage final : public Storage {
 public:
  // WAL frames (16 KiB pages: 128 MB) after which a commit asks the
  // background thread for a checkpoint (sqlite_checkpointer.hpp); SQLite's
  // own wal_autocheckpoint default is 1000. Not 1000 here: a group commit
  // of 200 reports writes about 1,200 frames, so every batch was
  // checkpointed, and with it the index leaves every batch rewrites (one
  // per host in each per-host index, one per report in the sha256 and
  // report_id ones: 30-60 KB a report once the store is large); a
  // checkpoint every ~7 batches copies each such page once. Measured with
  // bench_storage, 200 x 300 reports: 159 against 178 KB written and 67
  // against 88 KB read per report, 0.20 against 0.22 ms CPU. The WAL file
  // then holds up to 4 x 128 MB (the writer's own limit) before it rewinds.
  static constexpr int kCheckpointFrames = 8000;
  explicit SqliteStorage(std::filesystem::path path, int checkpoint_frames = kCheckpointFrames);
  ~SqliteStorage() override;

  int schema_version() override;
  void migrate() override;
  IngestResult ingest(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now) override;
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

  // Checkpoints done off the writer's thread / by the writer (tests).
  std::uint64_t background_checkpoints() const { return checkpointer_->background_checkpoints(); }
  std::uint64_t writer_checkpoints() const { return checkpointer_->writer_checkpoints(); }
  std::uint64_t dropped_page_cache_bytes() const { return checkpointer_->dropped_bytes(); }

 private:
  class Reader;  // a pooled read connection, returned on destruction
  std::unique_ptr<sqlite::Connection> open_connection();
  Reader reader();

  // At most this many reports a transaction: a batch's reports all wait
  // for its one commit, so an unbounded batch would only add latency.
  static constexpr std::size_t kMaxBatch = 256;
  void write_batch(std::vector<PendingIngest>& batch);
  // One transaction for `items`; false if one report's ingest threw and
  // the transaction was rolled back (nothing decided: write them singly).
  bool write_together(std::span<PendingIngest> items);
  IngestResult ingest_one(const IncomingReport& incoming, const ChainJudge& judge, std::int64_t now);

  std::filesystem::path path_;
  std::mutex queue_mutex_;
  std::vector<PendingIngest> queue_;
  std::condition_variable drained_;
  bool writing_ = false;
  std::mutex write_mutex_;
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;  // outlives writer_, whose commits call it
  std::unique_ptr<sqlite::Connection> writer_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<sqlite::Connection>> pool_;
};

}  // namespace clinic_audit::collector
