// The [Install] section of a unit file (systemd.unit(5) "[Install] Section
// Options") and the name of SysV start links (rc.d): what `systemctl enable`
// would create, so that enablement can be judged from the files of --root.
// Text in, structure out, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/systemd/unit_file_parser.hpp"

namespace clinic_audit::service {

struct InstallInfo {
  std::vector<std::string> wanted_by;    // targets whose .wants/ gets a link
  std::vector<std::string> required_by;  // targets whose .requires/ gets a link
  std::vector<std::string> aliases;      // Alias=
  std::vector<std::string> also;         // Also=
  bool empty() const { return wanted_by.empty() && required_by.empty() && aliases.empty() && also.empty(); }
};

// Space-separated lists accumulate; an empty assignment resets the list
// (systemd.unit(5): "may be used more than once... empty string resets").
InstallInfo parse_install_section(const systemd::UnitFile& unit);

// "S02compagnonApicrypt" -> "compagnonApicrypt": the service a SysV start
// link in /etc/rcN.d starts (update-rc.d names them S<NN><name>).
std::optional<std::string> sysv_start_link_service(std::string_view link_name);

}  // namespace clinic_audit::service
