// A pasteable fix for the Chromium family (issue #17's remediation
// commands): one more JSON file in <dir>/managed that re-allows the e-KerMed
// origins and changes nothing else.
//
// Why a new file works (checked against Debian's chromium, oracle fixtures
// later_file_allows / later_file_blocks and remedy_*): every file of the
// directory is read in byte order of names and, for a policy set in several,
// the last file wins. The file is named to sort after every entry present at
// audit time ("zz-clinic-audit-ekermed.json", or the last name followed by
// "-clinic-audit-ekermed.json"); a file of ours that is already last is
// reused, so the command is idempotent.
//
// What it sets: the allow-lists the blocking policies document, each the
// union of its effective value and the missing origins (the clinic's other
// entries kept): VideoCaptureAllowedUrls / AudioCaptureAllowedUrls (for
// VideoCaptureAllowed / AudioCaptureAllowed=false and DefaultMediaStreamSetting=2),
// JavaScriptAllowedForUrls, URLAllowlist, ScreenCaptureAllowedByOrigins
// (ScreenCaptureAllowed=false), and WebRtcIPHandlingUrl with
// {"url": origin, "handling": "default"} before the existing entries (the
// first match wins). Not fixed by a command: an origin held at tab level by
// TabCaptureAllowedByOrigins / SameOriginTabCaptureAllowedByOrigins (the
// matching pattern may cover other origins: removing it is the clinic's
// choice), wrong types and unreadable files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chromium_policy.hpp"

namespace clinic_audit::browser {

struct ChromiumFix {
  std::string path;     // <dir>/managed/<name>
  std::string json;     // its content
  std::string command;  // (umask 022 && mkdir -p ... && printf '%s\n' '...' > FILE && chmod 644 FILE)
  std::vector<std::string> keys;
};

// nullopt when nothing a new file can re-allow is blocked.
std::optional<ChromiumFix> chromium_fix(const std::string& dir, const ChromiumPolicies& policies,
                                        const std::vector<std::string>& origins);

// Compact JSON text of a value (strings escaped as RFC 8259 requires).
std::string to_json(const JsonValue& value);

}  // namespace clinic_audit::browser
