#include "fleet_trend.hpp"

namespace clinic_audit::dashboard {
namespace {
constexpr std::int64_t kDay = 86400;
}

std::map<std::string, PolicyCounts> count_by_policy(const Snapshot& snapshot) {
  std::map<std::string, PolicyCounts> counts;
  for (const auto& host : snapshot.hosts) {
    if (!host.report) continue;
    for (const auto& [policy, state] : host.policies) {
      auto& c = counts[policy];
      if (host.stale) {
        ++c.stale;
      } else if (state == PolicyState::failing) {
        ++c.failing;
      } else if (state == PolicyState::error) {
        ++c.error;
      } else {
        ++c.compliant;
      }
    }
  }
  return counts;
}

void FleetTrend::invalidate_late_reports(SqlConnection& db) {
  const auto meta = db.query("SELECT max_report FROM dashboard_trend_meta");
  const std::int64_t seen = meta.empty() ? 0 : meta.front().integer(0);
  const auto fresh = db.query("SELECT MIN(started_at), MAX(id) FROM reports WHERE id > ?", {seen});
  if (fresh.empty() || fresh.front().null(1)) return;
  const std::int64_t earliest = fresh.front().integer(0);
  const std::int64_t newest = fresh.front().integer(1);
  in_transaction(db, [&] {
    // A day's figure is taken at its end: a report started that day changes it.
    db.query("DELETE FROM dashboard_trend WHERE day + ? > ?", {kDay - 1, earliest - 1});
    db.query("UPDATE dashboard_trend_meta SET max_report = ?", {newest});
  });
}

std::vector<TrendDay> FleetTrend::days(std::int64_t now, int count, const Snapshot& today) {
  const std::int64_t today_start = now - ((now % kDay) + kDay) % kDay;
  std::vector<TrendDay> out;
  const std::lock_guard lock(mutex_);
  std::map<std::int64_t, TrendDay> cached;
  pool_.with([&](SqlConnection& db) {
    invalidate_late_reports(db);
    const std::int64_t first = today_start - (count - 1) * kDay;
    for (const auto& row : db.query(
             "SELECT day, policy_id, compliant, failing, error, stale FROM dashboard_trend WHERE day >= ? AND day < ?",
             {first, today_start})) {
      auto& day = cached[row.integer(0)];
      day.day = row.integer(0);
      day.policies[row.text(1)] = {row.integer(2), row.integer(3), row.integer(4), row.integer(5)};
    }
  });
  std::vector<TrendDay> computed;
  for (int i = count - 1; i >= 1; --i) {
    const std::int64_t day = today_start - i * kDay;
    if (auto it = cached.find(day); it != cached.end()) {
      out.push_back(std::move(it->second));
    } else {
      out.push_back({day, count_by_policy(queries_.snapshot(day + kDay - 1))});
      computed.push_back(out.back());
    }
  }
  if (!computed.empty()) {
    // One transaction (one fsync) for every day computed by this view.
    pool_.with([&](SqlConnection& db) {
      in_transaction(db, [&] {
        for (const auto& day : computed) {
          db.query("DELETE FROM dashboard_trend WHERE day = ?", {day.day});
          // A day with no host at all is stored as an empty marker row.
          if (day.policies.empty()) {
            db.query("INSERT INTO dashboard_trend (day, policy_id, compliant, failing, error, stale)"
                     " VALUES (?, '', 0, 0, 0, 0)",
                     {day.day});
          }
          for (const auto& [policy, c] : day.policies) {
            db.query("INSERT INTO dashboard_trend (day, policy_id, compliant, failing, error, stale)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     {day.day, policy, c.compliant, c.failing, c.error, c.stale});
          }
        }
      });
    });
  }
  out.push_back({today_start, count_by_policy(today)});
  for (auto& day : out) day.policies.erase("");
  return out;
}

}  // namespace clinic_audit::dashboard
