// What clinic-audit writes to std::cerr (its error messages, "clinic-audit:
// ..."), seen through a filter installed once at start-up (issue #15 item 7):
//  - when stderr is not a terminal (timer, cron, APT hook), each line also
//    goes to syslog at LOG_ERR, so that fatal errors of non-interactive runs
//    reach syslog/journald and not only a discarded stderr;
//  - when the process is not root and the line says a permission was
//    denied, it ends with a hint to run as root.
#pragma once

#include <string>
#include <string_view>

namespace clinic_audit {

void install_stderr_filter();

// The hint appended to `line` (without its newline), "" when none applies.
std::string permission_hint(std::string_view line, bool is_root);

}  // namespace clinic_audit
