// A strict JSON (RFC 8259) reader for the common case of a report: it
// builds the very document nlohmann's parser builds, or answers "not sure"
// (nullopt) and lets nlohmann parse -- and word the error. It never decides
// that input is malformed. nlohmann's lexer reads a byte at a time, keeps
// every byte twice (for its error messages) and copies every string: it was
// a quarter of the collector's instructions per report (callgrind).
//
// "Not sure" on: anything that is not well-formed, a byte-order mark,
// duplicate keys (nlohmann keeps the last), integers of more than 18 digits
// and floats that are not finite or not normal (nlohmann's integer/float
// choice at the edges), nesting deeper than 60 (json_depth_guard's limit
// is nlohmann's to enforce). BoundedJson.* and fuzz_bounded_json compare
// the documents, value types included, with nlohmann's.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace clinic_audit::signing {

std::optional<nlohmann::json> parse_json_fast(std::string_view bytes);

}  // namespace clinic_audit::signing
