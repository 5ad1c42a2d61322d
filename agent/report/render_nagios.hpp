// Nagios/Icinga/Centreon plugin output, following the Monitoring Plugins
// Development Guidelines (https://www.monitoring-plugins.org/doc/guidelines.html):
// first line "SERVICE STATUS - text | perfdata", then long output lines.
#pragma once

#include <string>

#include "report.hpp"

namespace clinic_audit {

// Plugin return codes (guidelines §"Plugin Return Codes").
enum class NagiosState { ok = 0, warning = 1, critical = 2, unknown = 3 };

// CRITICAL if a check of severity critical or high failed; WARNING if only
// medium, low or info checks failed; UNKNOWN if nothing failed but a check
// could not be evaluated (error: the plugin cannot vouch for the state);
// else OK. Waived, skipped and not_applicable results never raise it.
NagiosState nagios_state(const Report& report);
// The process exit code for `--format nagios`: 0, 1, 2 or 3.
int nagios_exit_code(const Report& report);

// E.g. "CLINIC-AUDIT CRITICAL - 2 failed: sudo-a, bin-b | 'pass'=5;;;0;7 ..."
// followed by one line per failed or errored check ("FAIL [high] id: summary").
// The first line lists at most 10 check ids; no text part ever contains '|'
// (it would start the perfdata) or a line break. Perfdata: one
// 'status'=count;;;0;total per status, 'duration'=SECONDSs;;;0;.
// Never throws on any Report content.
std::string render_nagios(const Report& report);

}  // namespace clinic_audit
