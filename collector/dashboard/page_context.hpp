// What every page handler gets: the signed-in user, the language, the parsed
// target, the CSRF token of the session, the time, and the data access.
#pragma once

#include <cstdint>
#include <string>

#include "fleet_queries.hpp"
#include "fleet_trend.hpp"
#include "language.hpp"
#include "users.hpp"
#include "web.hpp"

namespace clinic_audit::dashboard {

struct PageContext {
  const WebRequest& request;
  Target target;
  Lang lang = Lang::fr;
  User user;
  std::string csrf;  // empty for API-token requests (no forms)
  std::int64_t now = 0;
  FleetQueries& queries;
  FleetTrend& trend;
  SqlPool& pool;

  std::string_view t(std::string_view key) const;
  std::string query(const std::string& name) const { return param(target.query, name); }
  // "csv" or "json" when an export was asked for, else "".
  std::string export_format() const;
};

// Thrown by handlers for a 400 with a message shown to the user.
struct BadRequest {
  std::string message_key;
};

}  // namespace clinic_audit::dashboard
