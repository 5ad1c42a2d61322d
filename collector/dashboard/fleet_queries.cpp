#include "fleet_queries.hpp"

#include <algorithm>
#include <unordered_map>

namespace clinic_audit::dashboard {
namespace {

// "Each host's latest report at or before D": one seek per host on
// reports_host_started (machine_id, started_at DESC, sequence DESC).
// Parameters: at, then the machine-id when `one_host`.
std::string latest_cte(bool one_host) {
  return std::string("WITH latest AS (SELECT h.machine_id AS machine_id,"
                     " (SELECT x.id FROM reports x WHERE x.machine_id = h.machine_id AND x.started_at <= ?"
                     "  ORDER BY x.started_at DESC, x.sequence DESC LIMIT 1) AS rid FROM hosts h") +
         (one_host ? " WHERE h.machine_id = ?) " : ") ");
}

std::string from_hex(const std::string& hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

// Runs `query(in, params)` over `ids` in batches, `in` being "(?, ?, ...)":
// a list of ids known already costs one index probe each, where repeating
// latest_cte would redo its per-host seeks (three times per snapshot).
template <typename Query>
void in_batches(const std::vector<std::int64_t>& ids, Query query) {
  constexpr std::size_t kBatch = 500;  // far below SQLite's 32,766 and PostgreSQL's 65,535 parameters
  for (std::size_t first = 0; first < ids.size(); first += kBatch) {
    const std::size_t count = std::min(kBatch, ids.size() - first);
    std::string in = "(";
    std::vector<SqlValue> params;
    params.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      in += i == 0 ? "?" : ", ?";
      params.emplace_back(ids[first + i]);
    }
    in += ")";
    query(in, params);
  }
}

}  // namespace

const char* to_string(PolicyState state) {
  switch (state) {
    case PolicyState::failing: return "failing";
    case PolicyState::error: return "error";
    case PolicyState::compliant: break;
  }
  return "compliant";
}

// Writes the per-report summary rows of `reports` (dashboard_schema.cpp):
// one GROUP BY over each report's own results, once in the report's life. A
// collector behind the same PostgreSQL may do it at the same moment: the
// primary keys make the second insert a no-op. Set-based, a few hundred
// reports a statement: the first view of a store that was never summarized
// (180,000 reports in the benchmark) took half an hour on PostgreSQL at three
// round trips a report.
void FleetQueries::summarize(SqlConnection& db, const std::vector<std::int64_t>& reports) {
  if (reports.empty()) return;
  const char* ignore = db.postgres() ? " ON CONFLICT DO NOTHING" : "";
  const std::string or_ignore = db.postgres() ? "INSERT INTO" : "INSERT OR IGNORE INTO";
  in_transaction(db, [&] {
    in_batches(reports, [&](const std::string& in, const std::vector<SqlValue>& ids) {
      db.query(or_ignore +
                   " dashboard_report_policy (report, policy_id, state)"
                   " SELECT report, policy_id, MAX(CASE status WHEN 'fail' THEN 2 WHEN 'error' THEN 1 ELSE 0 END)"
                   " FROM results WHERE report IN " +
                   in + " GROUP BY report, policy_id" + ignore,
               ids);
      db.query(or_ignore +
                   " dashboard_report_issue (report, position, policy_id, check_id, status, severity, title)"
                   " SELECT report, position, policy_id, check_id, status, severity, title FROM results"
                   " WHERE report IN " +
                   in + " AND status IN ('fail', 'error')" + ignore,
               ids);
      // A report with no result at all still gets a row, so it is not summarized again.
      db.query(or_ignore +
                   " dashboard_report_policy (report, policy_id, state) SELECT r.id, '', 0 FROM reports r"
                   " WHERE r.id IN " +
                   in + " AND NOT EXISTS (SELECT 1 FROM results WHERE report = r.id)" + ignore,
               ids);
    });
  });
}

Snapshot FleetQueries::compute_snapshot(std::int64_t at, const std::optional<std::string>& machine_id) {
  Snapshot snap;
  snap.at = at;
  std::vector<SqlValue> cte_params{at};
  if (machine_id) cte_params.emplace_back(*machine_id);
  pool_.with([&](SqlConnection& db) {
    auto host_params = cte_params;
    host_params.insert(host_params.end(), {at, at});
    const auto hosts =
        db.query(latest_cte(machine_id.has_value()) +
                     "SELECT h.machine_id, h.hostname, h.site, r.id, r.report_id, r.started_at, r.received_at, r.chain,"
                     " r.n_fail, r.n_error, r.hostname,"
                     " (SELECT COUNT(*) FROM anomalies a WHERE a.machine_id = h.machine_id AND a.detected_at <= ?"
                     "   AND (a.resolved_at IS NULL OR a.resolved_at > ?)),"
                     " (SELECT COUNT(*) FROM dashboard_report_policy p WHERE p.report = r.id)"
                     " FROM hosts h JOIN latest l ON l.machine_id = h.machine_id LEFT JOIN reports r ON r.id = l.rid",
                 host_params);
    std::unordered_map<std::int64_t, std::size_t> by_report;
    std::vector<std::int64_t> unsummarized;
    snap.hosts.reserve(hosts.size());
    for (const auto& row : hosts) {
      HostState host;
      host.machine_id = row.text(0);
      host.site = row.text(2);
      host.report = row.optional_integer(3);
      if (host.report) {
        host.hostname = row.text(10);  // as the report at that moment named it
        host.report_id = row.text(4);
        host.started_at = row.integer(5);
        host.received_at = row.integer(6);
        host.chain = row.text(7);
        host.n_fail = static_cast<int>(row.integer(8));
        host.n_error = static_cast<int>(row.integer(9));
        host.stale = at - host.started_at > stale_after_;
        by_report.emplace(*host.report, snap.hosts.size());
        if (row.integer(12) == 0) unsummarized.push_back(*host.report);
      } else {
        continue;  // no report started by then: the host did not report yet at that moment
      }
      host.open_anomalies = static_cast<int>(row.integer(11));
      snap.hosts.push_back(std::move(host));
    }
    // Enrolled machines that never reported are stale from the start.
    std::vector<SqlValue> enrolment_params{at};
    std::string enrolment_sql = "SELECT machine_id, MAX(hostname), MAX(site) FROM enrolments WHERE enrolled_at <= ?"
                                " AND machine_id NOT IN (SELECT machine_id FROM hosts)";
    if (machine_id) {
      enrolment_sql += " AND machine_id = ?";
      enrolment_params.emplace_back(*machine_id);
    }
    for (const auto& row : db.query(enrolment_sql + " GROUP BY machine_id", enrolment_params)) {
      HostState host;
      host.machine_id = row.text(0);
      host.hostname = row.text(1);
      host.site = row.text(2);
      host.stale = true;
      snap.hosts.push_back(std::move(host));
    }
    summarize(db, unsummarized);
    std::vector<std::int64_t> latest;
    latest.reserve(by_report.size());
    for (const auto& [report, index] : by_report) latest.push_back(report);
    std::sort(latest.begin(), latest.end());
    in_batches(latest, [&](const std::string& in, const std::vector<SqlValue>& ids) {
      for (const auto& row :
           db.query("SELECT report, policy_id, state FROM dashboard_report_policy WHERE report IN " + in, ids)) {
        const auto it = by_report.find(row.integer(0));
        if (it == by_report.end() || row.text(1).empty()) continue;
        const auto rank = row.integer(2);
        snap.hosts[it->second].policies.emplace(row.text(1), rank == 2   ? PolicyState::failing
                                                             : rank == 1 ? PolicyState::error
                                                                         : PolicyState::compliant);
      }
      // Only the results that are not passing, with what the pages show of them.
      for (const auto& row : db.query("SELECT report, policy_id, check_id, status, severity, title"
                                      " FROM dashboard_report_issue WHERE report IN " +
                                          in + " ORDER BY report, position",
                                      ids)) {
        const auto it = by_report.find(row.integer(0));
        if (it == by_report.end()) continue;
        snap.hosts[it->second].not_passing.push_back({row.text(2), row.text(1), row.text(5), row.text(4), row.text(3)});
      }
    });
  });
  std::sort(snap.hosts.begin(), snap.hosts.end(), [](const HostState& a, const HostState& b) {
    return a.hostname != b.hostname ? a.hostname < b.hostname : a.machine_id < b.machine_id;
  });
  return snap;
}

Snapshot FleetQueries::snapshot(std::int64_t at, const std::optional<std::string>& machine_id) {
  if (machine_id) return compute_snapshot(at, machine_id);
  // What can change a fleet snapshot besides the moment: a new report (ids
  // only grow) or an anomaly flagged or resolved. Checked in three index
  // look-ups; a match within the same minute is served from memory.
  const auto version = pool_.with([](SqlConnection& db) {
    const auto rows =
        db.query("SELECT (SELECT COALESCE(MAX(id), 0) FROM reports), (SELECT COUNT(*) FROM anomalies),"
                 " (SELECT COUNT(*) FROM anomalies WHERE resolved_at IS NOT NULL), (SELECT COUNT(*) FROM enrolments)");
    return rows.front().text(0) + "/" + rows.front().text(1) + "/" + rows.front().text(2) + "/" + rows.front().text(3);
  });
  const std::string key = std::to_string(at / 60) + "@" + version;
  {
    const std::lock_guard lock(cache_mutex_);
    for (const auto& [cached_key, snapshot] : cache_) {
      if (cached_key == key) return snapshot;
    }
  }
  Snapshot snap = compute_snapshot(at, std::nullopt);
  const std::lock_guard lock(cache_mutex_);
  cache_.emplace_front(key, snap);
  if (cache_.size() > kCacheEntries) cache_.pop_back();
  return snap;
}

std::vector<HistoryItem> FleetQueries::history(const std::string& machine_id, std::size_t limit, std::size_t offset) {
  return pool_.with([&](SqlConnection& db) {
    std::vector<HistoryItem> items;
    for (const auto& row :
         db.query("SELECT id, report_id, sequence, started_at, received_at, chain, format, compliant, n_pass, n_fail,"
                  " n_error, n_waived FROM reports WHERE machine_id = ? ORDER BY started_at DESC, sequence DESC"
                  " LIMIT ? OFFSET ?",
                  {machine_id, static_cast<std::int64_t>(limit), static_cast<std::int64_t>(offset)})) {
      HistoryItem item;
      item.id = row.integer(0);
      item.report_id = row.text(1);
      item.sequence = static_cast<std::uint64_t>(row.integer(2));
      item.started_at = row.integer(3);
      item.received_at = row.integer(4);
      item.chain = row.text(5);
      item.format = row.text(6);
      item.compliant = row.integer(7) != 0;
      item.n_pass = static_cast<int>(row.integer(8));
      item.n_fail = static_cast<int>(row.integer(9));
      item.n_error = static_cast<int>(row.integer(10));
      item.n_waived = static_cast<int>(row.integer(11));
      items.push_back(std::move(item));
    }
    return items;
  });
}

std::vector<ResultItem> FleetQueries::results(std::int64_t report) {
  return pool_.with([&](SqlConnection& db) {
    std::vector<ResultItem> items;
    for (const auto& row :
         db.query("SELECT check_id, policy_id, type, title, severity, status, summary, evidence, remediation"
                  " FROM results WHERE report = ? ORDER BY position",
                  {report})) {
      items.push_back({row.text(0), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5), row.text(6),
                       row.text(7), row.text(8)});
    }
    return items;
  });
}

std::vector<AnomalyItem> FleetQueries::anomalies(const std::optional<std::string>& machine_id,
                                                 const std::optional<std::string>& kind, std::size_t limit,
                                                 std::size_t offset) {
  return pool_.with([&](SqlConnection& db) {
    std::string sql =
        "SELECT a.id, a.machine_id, COALESCE(h.hostname, ''), a.kind, a.detail, COALESCE(r.report_id, ''),"
        " a.resolution, a.detected_at, a.resolved_at FROM anomalies a LEFT JOIN hosts h ON h.machine_id = a.machine_id"
        " LEFT JOIN reports r ON r.id = a.report WHERE 1 = 1";
    std::vector<SqlValue> params;
    if (machine_id) {
      sql += " AND a.machine_id = ?";
      params.emplace_back(*machine_id);
    }
    if (kind) {
      sql += " AND a.kind = ?";
      params.emplace_back(*kind);
    }
    sql += " ORDER BY a.detected_at DESC, a.id DESC LIMIT ? OFFSET ?";
    params.emplace_back(static_cast<std::int64_t>(limit));
    params.emplace_back(static_cast<std::int64_t>(offset));
    std::vector<AnomalyItem> items;
    for (const auto& row : db.query(sql, params)) {
      AnomalyItem item;
      item.id = row.integer(0);
      item.machine_id = row.text(1);
      item.hostname = row.text(2);
      item.kind = row.text(3);
      item.detail = row.text(4);
      item.report_id = row.text(5);
      item.resolution = row.text(6);
      item.detected_at = row.integer(7);
      item.resolved_at = row.optional_integer(8);
      items.push_back(std::move(item));
    }
    return items;
  });
}

std::vector<SinceItem> FleetQueries::failing_since(const std::string& check_id,
                                                   const std::vector<std::string>& machine_ids, std::int64_t at) {
  return pool_.with([&](SqlConnection& db) {
    std::vector<SinceItem> items;
    for (const auto& machine_id : machine_ids) {
      // Newest first; the run of fails ends at the first other status.
      // Bounded: 400 reports back is more than a year of daily audits.
      const auto rows =
          db.query("SELECT r.started_at, s.status FROM reports r JOIN results s ON s.report = r.id AND s.check_id = ?"
                   " WHERE r.machine_id = ? AND r.started_at <= ? ORDER BY r.started_at DESC, r.sequence DESC LIMIT 400",
                   {check_id, machine_id, at});
      SinceItem item{machine_id, std::nullopt};
      for (const auto& row : rows) {
        if (row.text(1) != "fail") break;
        item.failing_since = row.integer(0);
      }
      items.push_back(std::move(item));
    }
    return items;
  });
}

std::optional<FleetQueries::Blob> FleetQueries::report_blob(std::int64_t id) {
  return pool_.with([&](SqlConnection& db) -> std::optional<Blob> {
    // SQLite hands BLOBs back as they are; PostgreSQL's BYTEA comes as hex text.
    const bool pg = db.postgres();
    const auto rows = db.query(std::string("SELECT machine_id, hostname, report_id, format, ") +
                                   (pg ? "encode(bytes, 'hex'), encode(signature, 'hex')" : "bytes, signature") +
                                   ", started_at FROM reports WHERE id = ?",
                               {id});
    if (rows.empty()) return std::nullopt;
    const auto& row = rows.front();
    return Blob{row.text(0),
                row.text(1),
                row.text(2),
                row.text(3),
                pg ? from_hex(row.text(4)) : row.text(4),
                pg ? from_hex(row.text(5)) : row.text(5),
                row.integer(6)};
  });
}

}  // namespace clinic_audit::dashboard
