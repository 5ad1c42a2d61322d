// Whether a service is enabled, judged from the files of the audited root the
// way `systemctl --root=DIR is-enabled UNIT` does (systemctl(1), "is-enabled"
// states): masked, enabled (a link in a .wants/ or .requires/ directory of
// /etc/systemd/system, or an Alias= link), enabled-runtime (same under
// /run/systemd/system), static (no [Install] section), disabled; for a SysV
// script without unit, Debian's systemd-sysv-install: a start link
// /etc/rc[S5].d/S??NAME.
#pragma once

#include <string>

#include "common/result.hpp"
#include "common/root_fs.hpp"

namespace clinic_audit::service {

struct Enablement {
  bool enabled = false;
  std::string state;  // systemctl is-enabled vocabulary, or "not-found"
  Evidence evidence;
};

Enablement judge_enablement(const RootFs& fs, const std::string& unit);

}  // namespace clinic_audit::service
