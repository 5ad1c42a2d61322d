#include "router.hpp"

#include <spdlog/spdlog.h>

#include <ctime>

namespace clinic_audit::collector {

Router::Router(Storage& storage, IngestService& ingest, EnrollService& enroll, Metrics& metrics, int stale_after_days)
    : storage_(storage), ingest_(ingest), enroll_(enroll), metrics_(metrics), stale_after_days_(stale_after_days) {}

std::string Router::route_of(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/api/v1/reports") return "reports";
  if (path == "/api/v1/enroll") return "enroll";
  if (path == "/healthz") return "healthz";
  if (path == "/metrics") return "metrics";
  return "other";
}

Answer Router::handle(const Request& request) {
  const std::string route = route_of(request.target);
  const auto started = std::chrono::steady_clock::now();
  Answer answer;
  try {
    if (fallback_ &&
        (route == "other" || (route == "reports" && (request.method == "GET" || request.method == "HEAD")))) {
      // The read API (GET /api/v1/reports?host=...) and the dashboard pages.
      answer = fallback_(request);
    } else if (route == "reports" || route == "enroll") {
      if (request.method != "POST") {
        answer = error_answer(405, "method_not_allowed", "use POST");
      } else if (route == "reports") {
        answer = ingest_.ingest(request.content_type, request.body, request.client);
      } else {
        answer = enroll_.enroll(request.body);
      }
    } else if (route == "healthz" || route == "metrics") {
      if (request.method != "GET" && request.method != "HEAD") {
        answer = error_answer(405, "method_not_allowed", "use GET");
      } else if (route == "healthz") {
        const bool ok = storage_.schema_version() == kSchemaVersion;
        answer = ok ? Answer{200, "{\"status\":\"ok\"}", "application/json", std::nullopt, "ok", {}, {}, {}, {}}
                    : error_answer(503, "unavailable",
                                   "database schema is not at the version this collector needs: run init");
      } else {
        answer.status = 200;
        answer.outcome = "ok";
        answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
        answer.body = metrics_.render(storage_, std::time(nullptr), stale_after_days_);
      }
    } else {
      answer = error_answer(404, "not_found", "no such resource");
    }
  } catch (const StorageUnavailable& error) {
    spdlog::warn("storage unavailable: {}", error.what());
    answer = error_answer(503, "unavailable", "storage busy, retry later");
    answer.retry_after = 5;
  } catch (const std::exception& error) {
    spdlog::error("internal error on {}: {}", route, error.what());
    answer = error_answer(500, "error", "internal error (see the collector's log)");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.observe(route, answer.outcome, seconds, answer.anomaly_kinds);
  return answer;
}

void Router::handle_async(const Request& request, std::function<void(Answer)> done) {
  const bool upload = request.method == "POST" && route_of(request.target) == "reports";
  if (!upload) {
    done(handle(request));
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  ingest_.ingest_async(request.content_type, request.body, request.client,
                       [this, started, done = std::move(done)](Answer answer) {
                         const double seconds =
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                         metrics_.observe("reports", answer.outcome, seconds, answer.anomaly_kinds);
                         done(std::move(answer));
                       });
}

}  // namespace clinic_audit::collector
