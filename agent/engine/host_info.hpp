// Identity of the audited system, read from the audited root (its
// /etc/hostname, /etc/machine-id, os-release), or the kernel's hostname live.
#pragma once

#include "common/root_fs.hpp"
#include "report/report.hpp"

namespace clinic_audit {

HostInfo read_host_info(const RootFs& fs);

}  // namespace clinic_audit
