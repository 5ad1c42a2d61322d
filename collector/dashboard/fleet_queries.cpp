#include "fleet_queries.hpp"

#include <algorithm>
#include <unordered_map>

namespace clinic_audit::dashboard {
namespace {

// "Each host's latest report at or before D": one seek per host on
// reports_host_started (machine_id, started_at DESC, sequence DESC).
// Parameters: at, then the machine-id when `one_host`.
std::string latest_cte(bool one_host) {
  return std::string(
             "WITH latest AS (SELECT h.machine_id AS machine_id,"
             " (SELECT x.id FROM reports x WHERE x.machine_id = h.machine_id AND x.started_at <= ?"
             "  ORDER BY x.started_at DESC, x.sequence DESC LIMIT 1) AS rid FROM hosts h") +
         (one_host ? " WHERE h.machine_id = ?) " : ") ");
}

PolicyState worse(PolicyState a, PolicyState b) {
  auto rank = [](PolicyState s) { return s == PolicyState::failing ? 2 : s == PolicyState::error ? 1 : 0; };
  return rank(a) >= rank(b) ? a : b;
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

Snapshot FleetQueries::snapshot(std::int64_t at, const std::optional<std::string>& machine_id) {
  Snapshot snap;
  snap.at = at;
  std::vector<SqlValue> cte_params{at};
  if (machine_id) cte_params.emplace_back(*machine_id);
  pool_.with([&](SqlConnection& db) {
    auto host_params = cte_params;
    host_params.insert(host_params.end(), {at, at});
    const auto hosts = db.query(
        latest_cte(machine_id.has_value()) +
            "SELECT h.machine_id, h.hostname, h.site, r.id, r.report_id, r.started_at, r.received_at, r.chain,"
            " r.n_fail, r.n_error, r.hostname,"
            " (SELECT COUNT(*) FROM anomalies a WHERE a.machine_id = h.machine_id AND a.detected_at <= ?"
            "   AND (a.resolved_at IS NULL OR a.resolved_at > ?))"
            " FROM hosts h JOIN latest l ON l.machine_id = h.machine_id LEFT JOIN reports r ON r.id = l.rid",
        host_params);
    std::unordered_map<std::int64_t, std::size_t> by_report;
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
      } else {
        continue;  // no report started by then: the host did not report yet at that moment
      }
      host.open_anomalies = static_cast<int>(row.integer(11));
      snap.hosts.push_back(std::move(host));
    }
    // Enrolled machines that never reported are stale from the start.
    std::vector<SqlValue> enrolment_params{at};
    std::string enrolment_sql =
        "SELECT machine_id, MAX(hostname), MAX(site) FROM enrolments WHERE enrolled_at <= ?"
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
    const auto results = db.query(latest_cte(machine_id.has_value()) +
                                      "SELECT s.report, s.policy_id, s.check_id, s.status, s.severity, s.title"
                                      " FROM latest l JOIN results s ON s.report = l.rid",
                                  cte_params);
    for (const auto& row : results) {
      const auto it = by_report.find(row.integer(0));
      if (it == by_report.end()) continue;
      HostState& host = snap.hosts[it->second];
      const std::string status = row.text(3);
      const PolicyState state = status == "fail"    ? PolicyState::failing
                                : status == "error" ? PolicyState::error
                                                    : PolicyState::compliant;
      auto [slot, inserted] = host.policies.emplace(row.text(1), state);
      if (!inserted) slot->second = worse(slot->second, state);
      if (state != PolicyState::compliant) {
        host.not_passing.push_back({row.text(2), row.text(1), row.text(5), row.text(4), status});
      }
    }
  });
  std::sort(snap.hosts.begin(), snap.hosts.end(), [](const HostState& a, const HostState& b) {
    return a.hostname != b.hostname ? a.hostname < b.hostname : a.machine_id < b.machine_id;
  });
  return snap;
}

std::vector<HistoryItem> FleetQueries::history(const std::string& machine_id, std::size_t limit, std::size_t offset) {
  return pool_.with([&](SqlConnection& db) {
    std::vector<HistoryItem> items;
    for (const auto& row : db.query(
             "SELECT id, report_id, sequence, started_at, received_at, chain, format, compliant, n_pass, n_fail,"
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
    for (const auto& row : db.query(
             "SELECT check_id, policy_id, type, title, severity, status, summary, evidence, remediation"
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
      const auto rows = db.query(
          "SELECT r.started_at, s.status FROM reports r JOIN results s ON s.report = r.id AND s.check_id = ?"
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
    const auto rows = db.query(
        "SELECT machine_id, hostname, report_id, format, bytes, signature, started_at FROM reports WHERE id = ?", {id});
    if (rows.empty()) return std::nullopt;
    const auto& row = rows.front();
    return Blob{row.text(0), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5), row.integer(6)};
  });
}

}  // namespace clinic_audit::dashboard
