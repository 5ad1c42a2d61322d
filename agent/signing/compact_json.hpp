// nlohmann::json::dump() (compact, UTF-8 kept, strict) without its
// per-byte UTF-8 decoder: runs of bytes that need no escape are copied at
// once. The collector serialises each result's evidence of every report
// with it (nlohmann's dump was an eighth of the ingest's instructions,
// callgrind). CompactJson.SameAsDump and fuzz_bounded_json compare it with
// dump() byte for byte.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace clinic_audit::signing {

// Exactly value.dump(); throws what dump() throws (invalid UTF-8 in a
// string: nlohmann's type_error 316, by handing that string to dump()).
std::string compact_json(const nlohmann::json& value);

// One string as dump() writes it, appended to `out` (report_reader_fast.cpp
// writes the evidence of a report without building its document).
void append_json_string(std::string& out, std::string_view text);

}  // namespace clinic_audit::signing
