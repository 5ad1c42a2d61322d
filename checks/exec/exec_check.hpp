// The `exec` check type: an external plugin following the Monitoring Plugins
// convention (https://www.monitoring-plugins.org/doc/guidelines.html):
// exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; first line of output is the
// summary ("TEXT | perfdata" -- the perfdata part is dropped from the summary).
//
// Parameters:
//   command          absolute path of the plugin on the auditing machine (no shell)
//   arg              argument (repeatable, in order)
//   timeout_seconds  default 30
//   max_output_bytes default 65536
// The plugin gets CLINIC_AUDIT_ROOT (the audited root, "/" for the live
// system) in its environment so that it can honour --root too.
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType exec_check_type();

}  // namespace clinic_audit
