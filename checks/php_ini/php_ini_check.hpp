// The `php_ini` check type: the effective value of one php.ini directive for
// every installed PHP version and SAPI (apache2, fpm, cli), php-fpm pool and
// Apache overrides included (php_ini_sources.hpp). Made for the seed's
// "php.ini contienne une directive sys_temp_dir" (004_08ef83a57c0c6343.txt,
// "Apicrypt v2"): a sys_temp_dir other than /tmp moves PHP's temporary files
// away from where the Apicrypt helpers look.
//
// Parameters:
//   directive     ini directive, case-sensitive ("sys_temp_dir")
//   expected      the value that passes ("/tmp"); trailing slashes ignored
//   allow_unset   true (default): unset or empty also passes
//   sapi          repeatable; default apache2, fpm and cli
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType php_ini_check_type();

}  // namespace clinic_audit
