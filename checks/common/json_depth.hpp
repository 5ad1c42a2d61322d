// One bound on the nesting of JSON read from outside (reports, enrolment
// requests, the collector's answers). nlohmann's parser has no depth limit of
// its own: 64 KiB of '[' cost a second of CPU under ASan (fuzz_report_content,
// fuzz_read_json_report), a request body of megabytes far more. A report
// nests 5 deep, an enrolment request or an answer 2; deeper is refused while
// parsing, before the tree is built (libxml2 refuses XML past 256 the same way).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace clinic_audit {

constexpr int kMaxJsonDepth = 64;

struct JsonTooDeep : std::runtime_error {
  JsonTooDeep() : std::runtime_error("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels") {}
};

// The parser callback that throws JsonTooDeep past kMaxJsonDepth: pass it to
// Json::parse (nlohmann::json, or ordered_json).
template <class Json = nlohmann::json>
typename Json::parser_callback_t json_depth_guard() {
  return [](int depth, typename Json::parse_event_t, Json&) {
    if (depth > kMaxJsonDepth) throw JsonTooDeep();
    return true;
  };
}

}  // namespace clinic_audit
