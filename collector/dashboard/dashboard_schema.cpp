#include "dashboard_schema.hpp"

#include <string>

namespace clinic_audit::dashboard {
namespace {

// Portable DDL: BIGINT is INTEGER affinity in SQLite. Users are keyed by name;
// sessions and API tokens by the SHA-256 of their secret (tokens.hpp).
const char* const kVersion1[] = {
    "CREATE TABLE dashboard_users ("
    " name TEXT PRIMARY KEY,"
    " role TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),"
    " password_hash TEXT NOT NULL,"
    " lang TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL,"
    " password_changed_at BIGINT NOT NULL)",
    "CREATE TABLE dashboard_sessions ("
    " token_sha256 TEXT PRIMARY KEY,"
    " user_name TEXT NOT NULL REFERENCES dashboard_users(name) ON DELETE CASCADE,"
    " created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL)",
    "CREATE INDEX dashboard_sessions_user ON dashboard_sessions (user_name)",
    "CREATE TABLE dashboard_api_tokens ("
    " token_sha256 TEXT PRIMARY KEY,"
    " user_name TEXT NOT NULL REFERENCES dashboard_users(name) ON DELETE CASCADE,"
    " created_at BIGINT NOT NULL)",
    // Fleet trend per day and policy, computed once per closed day
    // (fleet_trend.cpp); a late report invalidates the days it changes.
    "CREATE TABLE dashboard_trend ("
    " day BIGINT NOT NULL,"
    " policy_id TEXT NOT NULL,"
    " compliant BIGINT NOT NULL, failing BIGINT NOT NULL, error BIGINT NOT NULL, stale BIGINT NOT NULL,"
    " PRIMARY KEY (day, policy_id))",
    "CREATE TABLE dashboard_trend_meta (max_report BIGINT NOT NULL)",
    // Per stored report, what the pages need of its results, written once
    // the first time a page needs it (fleet_queries.cpp): the worst status
    // per policy, and the results that are not passing. Reports never change,
    // so neither do these rows.
    "CREATE TABLE dashboard_report_policy ("
    " report BIGINT NOT NULL, policy_id TEXT NOT NULL, state BIGINT NOT NULL,"
    " PRIMARY KEY (report, policy_id))",
    "CREATE TABLE dashboard_report_issue ("
    " report BIGINT NOT NULL, position BIGINT NOT NULL, policy_id TEXT NOT NULL, check_id TEXT NOT NULL,"
    " status TEXT NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL,"
    " PRIMARY KEY (report, position))",
};

}  // namespace

void migrate_dashboard(SqlConnection& db) {
  in_transaction(db, [&] {
    db.exec("CREATE TABLE IF NOT EXISTS dashboard_schema (version BIGINT NOT NULL)");
    const auto rows = db.query("SELECT version FROM dashboard_schema");
    const int version = rows.empty() ? 0 : static_cast<int>(rows.front().integer(0));
    if (version > kDashboardSchemaVersion) {
      throw SqlError("the dashboard tables are at version " + std::to_string(version) + ", newer than this program's " +
                     std::to_string(kDashboardSchemaVersion) + ": upgrade clinic-audit-collector");
    }
    if (version >= 1) return;
    for (const char* statement : kVersion1) db.exec(statement);
    db.exec("INSERT INTO dashboard_trend_meta (max_report) VALUES (0)");
    if (rows.empty()) {
      db.query("INSERT INTO dashboard_schema (version) VALUES (?)", {std::int64_t{kDashboardSchemaVersion}});
    } else {
      db.query("UPDATE dashboard_schema SET version = ?", {std::int64_t{kDashboardSchemaVersion}});
    }
  });
}

}  // namespace clinic_audit::dashboard
