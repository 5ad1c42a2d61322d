// What a browser's configuration does to a consultation (issue #14 item 3).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace clinic_audit::browser {

// The seed's features (annex 1) a setting can take away.
enum class Impact {
  breaks_audio_video,   // no camera, microphone or RTCPeerConnection: no consultation
  breaks_screen_share,  // "Screensharing" column
  degrades,             // media only through a proxy/TURN: seed §2.2.2 case 2
  info,                 // reported only (WebRtcUdpPortRange for the firewall check)
  ignored,              // the browser ignores it (unparsable file, wrong type)
};

struct Finding {
  Impact impact = Impact::info;
  std::string what;  // "VideoCaptureAllowed=false (camera blocked)"
  Evidence evidence;
  std::string fix;  // the exact file and line to change
};

// Does `pattern` (a URL pattern of a Chromium allow-list or a Firefox
// permission origin) allow `origin` ("https://host[:port]")? Chromium's
// content-setting pattern syntax (components/content_settings/core/common/
// content_settings_pattern.h): "*", "[*.]example.org", "https://example.org:443".
bool origin_matches(std::string_view pattern, std::string_view origin);

// How specific a content-setting pattern is, for choosing between an allow
// and a block exception that both match (content_settings_pattern.cc,
// ContentSettingsPattern::Compare: the host first -- an exact host over a
// "[*.]domain", a longer domain over a shorter, both over "*" -- then a
// scheme given over none, then a port given over none; "https://host" gives
// the scheme's port). Greater is more specific; when an allow and a block
// exception are equally specific the block wins (checked against Debian's
// chromium: oracle fixture remedy_javascript_blocked_for_origin).
std::array<int, 4> pattern_specificity(std::string_view pattern);

// Does a URLBlocklist/URLAllowlist filter match the origin's pages? Chromium's
// URL filter format ("Use URL filters" in the policy list,
// components/policy/core/browser/url_blocklist_manager): "*" matches every
// URL; "[scheme://][.]host[:port][/path]"; a host matches its subdomains
// unless it starts with "."; "*" as host matches every host. A filter with a
// path below "/" is taken not to match the origin as a whole (the
// consultation's paths are not known here).
bool url_filter_matches(std::string_view filter, std::string_view origin);

}  // namespace clinic_audit::browser
