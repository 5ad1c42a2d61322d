// Logging (spdlog): on a terminal, to stderr; otherwise to syslog (journald
// picks it up) with warnings and errors also on stderr, so that a cron mail or
// the timer's journal shows them. Report output never goes through the log.
#pragma once

namespace clinic_audit {

enum class Verbosity { quiet, normal, verbose };

// `color`: ANSI colours on the terminal sink (--color, NO_COLOR).
void setup_logging(Verbosity verbosity, bool color = true);

}  // namespace clinic_audit
