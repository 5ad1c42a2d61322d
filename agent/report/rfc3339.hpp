// Reads the run's RFC 3339 timestamps back as Unix time (for metrics).
#pragma once

#include <optional>
#include <string_view>

namespace clinic_audit::report_output {

// Seconds since the Unix epoch of an RFC 3339 date-time
// ("2026-11-22T15:04:05Z", optional fraction, "Z" or a ±hh:mm offset;
// 't'/'z' accepted as RFC 3339 §5.6 allows). nullopt when malformed.
std::optional<double> unix_seconds(std::string_view rfc3339);

}  // namespace clinic_audit::report_output
