// The parse of a report's JSON on the collector's ingest path: the same
// document, the same errors and the same depth limit as
// nlohmann::json::parse(bytes, json_depth_guard()) (common/json_depth.hpp),
// without the callback parser that limit was built on. The callback parser
// builds every value twice (once to show it to the callback, once in the
// tree) and calls a std::function per token; here a SAX handler counts the
// open containers and hands every event to nlohmann's own DOM builder.
// A well-formed document is read by parse_json_fast() (fast_json.hpp),
// which builds the same document; anything it is not sure of goes to
// nlohmann. BoundedJson.* and fuzz_bounded_json compare the documents
// (value types included) and the errors with the callback-guarded parse.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace clinic_audit::signing {

// Throws what json::parse with json_depth_guard() throws on the same bytes:
// nlohmann::json::parse_error / out_of_range (malformed, a number beyond a
// double), JsonTooDeep at the same token.
nlohmann::json parse_bounded_json(std::string_view bytes);

}  // namespace clinic_audit::signing
