// Storage on PostgreSQL through libpq (issue #11 items 6-7): several
// collector processes share one database. Ingest locks the host's row
// (SELECT ... FOR UPDATE) before it reads the history, so two collectors
// receiving one host's reports (or one report twice) at once are
// serialised: stored once, chain judged on the complete history.
#pragma once

#include <memory>
#include <mutex>
#include <string>
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

  std::string url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<pg::Connection>> pool_;
};

}  // namespace clinic_audit::collector
