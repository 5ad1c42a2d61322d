// The `browser` check type (issue #14, DESIGN.md §9, seed 000 annex 1): can
// this desktop hold an e-KerMed consultation? It lists the installed browsers
// (inventory.hpp), judges each against the seed's matrix for Linux and
// against the enterprise policies and preferences that take away the camera,
// the microphone, screen capture or WebRTC UDP (chromium_policy.hpp,
// firefox_policy.hpp). Pass when at least one browser is fully capable; the
// others are listed with what breaks.
//
// Parameters (the matrix is data: a new annex is a policy edit):
//   min_version      repeatable "COLUMN VERSION": chrome 45, firefox 46, firefox-esr 78, opera 35, vivaldi 1
//   chromium_based_as  the column Chromium-based browsers without their own column follow (default chrome)
//   not_listed       repeatable product id the matrix marks "-" for Linux (edge)
//   origin           repeatable e-KerMed origin that must be allowed (https://host)
//   accept_degraded  true: a browser limited to seed case 2 (no UDP) still counts as capable (default false)
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType browser_check_type();

}  // namespace clinic_audit
