// clinic-audit: entry point. Everything else lives in cli/ and engine/.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "i18n.hpp"
#include "cli/cli.hpp"
#include "common/command_runner.hpp"
#include "engine/pipeline.hpp"
#include "system_error_text.hpp"

int main(int argc, char** argv) {
  // A closed stdout (`clinic-audit run | head -1`) must be a write error the
  // pipeline reports (exit 73), not a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // Plugins that daemonize are handed to us and killed after each command
  // (issue #20 item 7); every child of the agent comes from ProcessRunner.
  clinic_audit::ProcessRunner::enable_orphan_reaping();
  bool must_exit_now = false;
  int code = clinic_audit::kExitInternal;
  try {
    code = clinic_audit::run_cli(argc, argv, must_exit_now);
  } catch (const std::exception& e) {
    std::cerr << clinic_audit::tr("clinic-audit: internal error: {0}", clinic_audit::i18n::exception_text(e)) << '\n';
    code = clinic_audit::kExitInternal;
  }
  std::cout.flush();
  std::cerr.flush();
  if (must_exit_now) {
    // A check thread overran its timeout and cannot be cancelled: leave
    // without running destructors it could still be using.
    // Its programs (a hung plugin) must not outlive the auditor either.
    clinic_audit::ProcessRunner::kill_running();
    spdlog::shutdown();
    std::_Exit(code);
  }
  return code;
}
