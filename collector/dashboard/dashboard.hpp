// The fleet dashboard (issue #13, DESIGN.md §7 and §10), served by
// `clinic-audit-collector serve` beside the ingest API: server-rendered
// pages behind a login, exports, the read API for scripts. Nothing here can
// change a report.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fleet_queries.hpp"
#include "fleet_trend.hpp"
#include "sql.hpp"
#include "throttle.hpp"
#include "users.hpp"
#include "web.hpp"

namespace clinic_audit::dashboard {

struct DashboardConfig {
  std::string database_url;
  std::int64_t stale_after_seconds = 3 * 86400;
  std::string chart_js = "/usr/share/javascript/chart.js/chart.min.js";  // Debian's libjs-chart.js
  std::size_t max_connections = 8;
};

class Dashboard {
 public:
  explicit Dashboard(DashboardConfig config);
  ~Dashboard();

  // True for the paths the dashboard answers (everything but the ingest
  // API, /healthz and /metrics, which stay the server's).
  static bool owns(const std::string& method, const std::string& target);
  WebResponse handle(const WebRequest& request, std::int64_t now);

  Users& users() { return users_; }
  FleetQueries& queries() { return queries_; }
  FleetTrend& trend() { return trend_; }

 private:
  struct Impl;
  DashboardConfig config_;
  SqlPool pool_;
  Users users_;
  FleetQueries queries_;
  FleetTrend trend_;
  LoginThrottle throttle_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clinic_audit::dashboard
