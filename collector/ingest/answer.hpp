// What a route returns: status, JSON body and what the request log and the
// metrics need. Routes are plain functions of (request data, store) so tests
// call them without a socket (STYLE.md §10).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clinic_audit::collector {

struct Answer {
  int status = 200;
  std::string body;  // JSON (or text for /metrics)
  std::string content_type = "application/json";
  std::optional<int> retry_after;  // seconds, for 503
  // For the one log line per request and the metrics; never a secret.
  std::string outcome;  // stored, duplicate, bad_request, forbidden, too_large, bad_signature, unavailable, ...
  std::string machine_id;
  std::string report_id;
  std::vector<std::string> anomaly_kinds;  // newly flagged (metrics)
  // Further response headers (the dashboard's Set-Cookie, Location, CSP...).
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error": message} with that status.
Answer error_answer(int status, const std::string& outcome, const std::string& message);

}  // namespace clinic_audit::collector
