// The `systemd_unit` check type: the effective value of `[section] key` for
// one unit (or every unit matching a glob) as systemd computes it from the
// files of the audited root (unit_resolver.hpp), plus, on a live host run by
// systemd, whether the running unit still uses an older value.
//
// Parameters:
//   unit                  unit name or glob ("apache2.service", "php*-fpm.service")
//   key                   setting name, case-sensitive ("PrivateTmp")
//   section               default "Service"
//   expected              required effective value
//   type                  boolean (default; systemd's spellings) | string
//   default               value when never assigned (default "false" for booleans, "" otherwise)
//   only_if_serving_php   true: judge only units that run PHP for Apache
//                         (php_handlers.hpp); the others are not_applicable
//   missing               not_applicable (default) | fail: when no unit matches
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType systemd_unit_check_type();

}  // namespace clinic_audit
