// `clinic-audit run` as a list of steps (STYLE.md §6, after Falco's app
// steps): load config -> load policies -> plan -> run checks -> apply
// waivers -> write reports -> sign -> spool and commit (agent/store). Each step either lets the run go on or ends it
// with an exit code (DESIGN.md §4).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace clinic_audit {

enum ExitCode : int {
  kExitCompliant = 0,
  kExitFail = 1,
  kExitError = 2,
  kExitUsage = 64,
  kExitBadInput = 65,
  kExitInternal = 70,
  kExitCannotWrite = 73,
};

// Installed locations (DESIGN.md §5).
inline constexpr const char* kDefaultKeyPath = "/etc/clinic-audit/agent.key";
inline constexpr const char* kDefaultCertPath = "/etc/clinic-audit/agent.crt";
inline constexpr const char* kDefaultCaPath = "/etc/clinic-audit/ca.crt";
inline constexpr const char* kDefaultStateDir = "/var/lib/clinic-audit";

struct RunRequest {
  std::vector<std::string> policies;  // ids or files; empty: the site configuration's, else all shipped
  std::filesystem::path root = "/";
  std::optional<std::filesystem::path> config;  // explicit --config
  std::vector<std::string> formats;             // empty: text
  std::optional<std::filesystem::path> out_dir;
  bool sign = true;
  bool offline = false;
  std::vector<std::string> only;
  std::string trigger = "manual";
  std::optional<std::filesystem::path> state_dir;
  bool color = false;     // coloured text table (stdout is a terminal)
  bool progress = false;  // progress lines on stderr while checks run
};

// Runs an audit; report output to `out` (stdout), messages to `err`.
// Returns the exit code. Sets `must_exit_now` when a check overran its
// timeout and its thread is still running (the caller then uses _Exit).
int run_audit(const RunRequest& request, std::ostream& out, std::ostream& err, bool& must_exit_now);

}  // namespace clinic_audit
