// The human report (DESIGN.md §4): what a technician reads on a terminal
// after an upgrade.
#pragma once

#include <string>

#include "report.hpp"

namespace clinic_audit {

// A header (host, run), then a table STATUS | SEVERITY | POLICY | CHECK |
// SUMMARY with failures first (most severe first), then errors, then the
// rest in report order. Under each failure its evidence and remediation,
// under each error its evidence. Ends with a counts line and the verdict.
// `color` adds ANSI SGR colours (ECMA-48); report content never carries
// control characters (output_text.hpp), so it cannot drive the terminal.
// Never throws on any Report content.
std::string render_text(const Report& report, bool color);

// A severity in the language of the output (the machine formats keep to_string()).
std::string severity_word(Severity severity);

}  // namespace clinic_audit
