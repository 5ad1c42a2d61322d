// Asking the running systemd (only when auditing the live host, never with
// --root). The decision logic is separate from the command so that tests can
// feed it recorded `systemctl show` output.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/command_runner.hpp"
#include "common/root_fs.hpp"

namespace clinic_audit::systemd {

inline constexpr const char* kSystemctl = "/usr/bin/systemctl";

// sd_booted(3): systemd is PID 1 when /run/systemd/system/ is a directory.
bool systemd_is_running(const RootFs& live_fs);

// Parses `systemctl show -p A,B UNIT` output ("Key=Value" lines).
std::map<std::string, std::string> parse_systemctl_show(std::string_view output);

struct LiveQuery {
  std::map<std::string, std::string> properties;
  std::string error;  // non-empty when systemctl could not answer
};

LiveQuery systemctl_show(CommandRunner& runner, const std::string& unit, const std::vector<std::string>& properties);

// `systemctl is-active UNIT`: its first output line ("active", "inactive",
// "failed", "activating", ...), or the error.
LiveQuery systemctl_is_active(CommandRunner& runner, const std::string& unit);

// The verdict on a live unit whose files give `file_value` for a boolean
// setting: the running unit must match the files and need no reload.
struct LiveVerdict {
  bool stale = false;    // running value differs or NeedDaemonReload=yes
  std::string observed;  // e.g. "running: PrivateTmp=yes, NeedDaemonReload=no"
};
LiveVerdict judge_live_boolean(const std::map<std::string, std::string>& show, const std::string& key, bool file_value);

}  // namespace clinic_audit::systemd
