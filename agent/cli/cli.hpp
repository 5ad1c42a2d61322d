// The command line (DESIGN.md §4). Usage errors exit 64 with a one-line reason.
#pragma once

namespace clinic_audit {

// Parses argv, runs the subcommand, returns the exit code. Sets
// `must_exit_now` when the process must leave with _Exit (a check thread
// overran its timeout and is still running).
int run_cli(int argc, char** argv, bool& must_exit_now);

}  // namespace clinic_audit
