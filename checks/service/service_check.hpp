// The `service` check type: a service is enabled (judged offline from the
// enablement links in the audited root, as `systemctl is-enabled` would) and,
// on a live host run by systemd, active (`systemctl is-active`). Used for
// compagnonApicrypt (seed 004_08ef83a57c0c6343.txt, "Apicrypt v2").
//
// Parameters:
//   unit      unit name; ".service" is added when there is no suffix
//   enabled   true (default): must be enabled; false: not judged
//   active    true (default): must be active on a live host; false: not judged
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType service_check_type();

}  // namespace clinic_audit
