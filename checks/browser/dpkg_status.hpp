// The installed packages of /var/lib/dpkg/status (dpkg(1), deb822(5)): one
// stanza per package, separated by blank lines; only "Status: install ok
// installed" counts (a package removed but not purged is "deinstall ok
// config-files" and has no binary).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::browser {

struct DpkgPackage {
  std::string name;
  std::string version;
  std::string architecture;
  int line = 0;  // of its Package: field
};

std::vector<DpkgPackage> installed_packages(std::string_view status_file);

}  // namespace clinic_audit::browser
