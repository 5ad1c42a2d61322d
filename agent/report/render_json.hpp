// The JSON report (DESIGN.md §6), described by agent/schemas/report.schema.json.
#pragma once

#include <string>

#include "report.hpp"

namespace clinic_audit {

// Pretty-printed UTF-8 JSON ending with a newline; keys in DESIGN.md §6
// order so that the signed bytes are stable for a given Report. Never throws
// on any Report content (see output_text.hpp for the text policy).
std::string render_json(const Report& report);

}  // namespace clinic_audit
