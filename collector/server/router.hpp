// The routes of DESIGN.md §7, as one function of a parsed request: tests
// call it without a socket (STYLE.md §10).
#pragma once

#include <chrono>
#include <functional>
#include <utility>
#include <vector>
#include <string>
#include <string_view>

#include "answer.hpp"
#include "enroll_service.hpp"
#include "ingest_service.hpp"
#include "metrics.hpp"

namespace clinic_audit::collector {

struct Request {
  std::string_view method;
  std::string_view target;
  std::string_view content_type;
  std::string_view body;
  ClientCertificate client;
  // For the dashboard: every header (names in lower case) and the client address.
  const std::vector<std::pair<std::string, std::string>>* headers;
  std::string_view peer;
};

// What answers the routes that are not the ingest API, /healthz or /metrics:
// the dashboard and its read API (collector/dashboard).
using FallbackRoute = std::function<Answer(const Request&)>;

class Router {
 public:
  Router(Storage& storage, IngestService& ingest, EnrollService& enroll, Metrics& metrics, int stale_after_days);
  // Never throws: an internal failure is a 500 with a generic message (the
  // detail goes to the log).
  Answer handle(const Request& request);
  // handle(), but a report upload (POST /api/v1/reports) answers through
  // `done` once its transaction committed, without holding this thread;
  // every other route calls `done` before this returns. `request` is only
  // read before this returns.
  void handle_async(const Request& request, std::function<void(Answer)> done);
  // "reports", "enroll", "healthz", "metrics" or "other": for metrics and load shedding.
  static std::string route_of(std::string_view target);
  void set_fallback(FallbackRoute fallback) { fallback_ = std::move(fallback); }

 private:
  Storage& storage_;
  IngestService& ingest_;
  EnrollService& enroll_;
  Metrics& metrics_;
  int stale_after_days_;
  FallbackRoute fallback_;
};

}  // namespace clinic_audit::collector
