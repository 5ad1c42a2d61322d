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
//   network          true (default): the plugin may use the network, so it is
//                    `skipped` under --offline; false: it never does
//   supports_root    false (default): the plugin inspects the machine it runs
//                    on, so it is `skipped` under --root; true: it honours
//                    CLINIC_AUDIT_ROOT
// The plugin gets CLINIC_AUDIT_ROOT (the audited root, "/" for the live
// system) and, under --offline, CLINIC_AUDIT_OFFLINE=1 in its environment.
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType exec_check_type();

}  // namespace clinic_audit
