// Which service runs PHP for Apache, per installed PHP version.
//
// Debian's layout (README.Debian of apache2 and php8.2-fpm): PHP versions
// live under /etc/php/X.Y/; Apache runs PHP in-process when
// /etc/apache2/mods-enabled/phpX.Y.load is enabled (mod_php, SAPI
// "apache2"), or hands requests to php-fpm when mods-enabled/proxy_fcgi.load
// is enabled and the phpX.Y-fpm unit exists (SAPI "fpm"). The seed
// (004_08ef83a57c0c6343.txt, "Apicrypt v2") disables Apache's private /tmp
// "si PHP est exécuté comme un module": with php-fpm it is php-fpm's /tmp that
// the Apicrypt helpers share.
#pragma once

#include <string>
#include <vector>

#include "common/root_fs.hpp"

namespace clinic_audit::systemd {

struct PhpVersionHandler {
  std::string version;           // "8.2"
  bool mod_php = false;          // mods-enabled/phpX.Y.load present
  std::string mod_php_evidence;  // that path
  bool fpm = false;              // proxy_fcgi enabled and phpX.Y-fpm.service exists
  std::string fpm_unit;          // "php8.2-fpm.service"
  std::string fpm_evidence;      // why (paths)
};

struct PhpHandlers {
  bool apache_installed = false;  // /etc/apache2 exists
  bool proxy_fcgi = false;
  std::vector<PhpVersionHandler> versions;  // sorted by version text

  // True when `unit` serves PHP: apache2.service under mod_php, or a
  // phpX.Y-fpm.service that Apache reaches through proxy_fcgi.
  bool serves_php(const std::string& unit, std::string* why) const;
};

PhpHandlers detect_php_handlers(const RootFs& fs);

}  // namespace clinic_audit::systemd
