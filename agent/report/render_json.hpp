// The JSON report (DESIGN.md §6), described by agent/schemas/report.schema.json.
#pragma once

#include <string>

#include "report.hpp"

namespace clinic_audit {

// Pretty-printed UTF-8 JSON ending with a newline; keys in DESIGN.md §6
// order so that the signed bytes are stable for a given Report. Never throws
// on any Report content (see output_text.hpp for the text policy).
std::string render_json(const Report& report);

// The same document built as an nlohmann tree and dumped: what render_json
// wrote before it wrote the bytes directly (issue #19 item 5), and what it
// still does for a text that is not valid UTF-8. Kept for the tests that
// hold the two against each other.
std::string render_json_tree(const Report& report);

}  // namespace clinic_audit
