// Reports the format tests render: every status and severity, evidence with
// and without a line, text that needs escaping in every format, invalid
// UTF-8 read from a host, and the empty run.
#pragma once

#include "report.hpp"

namespace clinic_audit::testing {

// Two policies; one result per status (fail in every severity), evidence
// with and without line, unicode, <, &, ", ', >, newlines, backslashes,
// '|' in free text, a waiver, previous_sha256 set.
Report every_status_report();
// An observed value, a path and a summary with ill-formed UTF-8, C0/C1
// controls, ESC sequences, NUL, U+FFFE; machine-id "uninitialized", no hostname.
Report invalid_text_report();
// No policy, no result, first report of the machine (previous_sha256 null).
Report empty_report();

}  // namespace clinic_audit::testing
