// The collector's ingest and enrolment API as the agent speaks it
// (DESIGN.md §7): request bodies, response parsing, Retry-After and the
// retry schedule. Pure functions: tests call them without a socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::delivery {

inline constexpr const char* kReportsPath = "/api/v1/reports";
inline constexpr const char* kEnrollPath = "/api/v1/enroll";

// multipart/form-data (RFC 7578) with the parts `report` (the exact bytes)
// and `signature` (DER CMS), as `curl -F report=@R -F signature=@R.p7s`.
struct MultipartBody {
  std::string content_type;  // multipart/form-data; boundary=...
  std::string body;
};
MultipartBody multipart_report(std::string_view report_name, std::string_view report, std::string_view signature);

// The collector's answer to POST /api/v1/reports with 200/201.
struct IngestAnswer {
  std::string status;  // stored | duplicate
  std::string report_id;
  std::optional<std::uint64_t> sequence;
  std::string chain;                   // ok | anomaly
  std::vector<std::string> anomalies;  // "kind: detail"
};
// nullopt (with `why`) unless the body is a JSON object whose status is
// "stored" (201) or "duplicate" (200 or 201) and whose report_id and sequence,
// when present, are the ones sent: only such an answer acknowledges.
std::optional<IngestAnswer> parse_ingest_answer(int http_status, std::string_view body, std::string_view sent_report_id,
                                                std::uint64_t sent_sequence, std::string& why);

// The "error" field of a JSON error body, else the body's first line
// (control characters escaped, at most 200 characters).
std::string error_text(std::string_view body);

// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, relative to
// `now` (system clock). nullopt when absent or unparseable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
// Backoff And Jitter", 2015): uniform in [0, min(cap, base * 2^(attempt-1))]
// for attempt 1, 2, ...
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                        std::mt19937_64& random);

}  // namespace clinic_audit::delivery
