// What every renderer may assume about a Report: text that is valid UTF-8
// and representable in XML 1.0, numbers in their documented ranges. Renderers
// call normalized_for_output() first, so no Report content can make a JSON or
// XML report invalid or make a renderer throw.
#pragma once

#include <string>
#include <string_view>

#include "report.hpp"

namespace clinic_audit::report_output {

// U+FFFD REPLACEMENT CHARACTER, UTF-8 encoded.
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Policy for text taken from the audited host (observed values, file names):
// - an ill-formed UTF-8 sequence becomes one U+FFFD per maximal subpart
//   (Unicode 15, §3.9 "U+FFFD Substitution of Maximal Subparts", the
//   practice of the WHATWG Encoding Standard);
// - a well-formed code point that XML 1.0 §2.2 (Char) forbids, or that a
//   terminal would interpret (C0 controls except TAB, LF, CR; DEL; C1
//   controls; U+FFFE, U+FFFF), also becomes U+FFFD, so the same content is
//   carried by JSON, XML and text and an observed ESC cannot drive the
//   technician's terminal.
std::string valid_text(std::string_view text);

// A copy of `report` with valid_text() applied to every string, evidence
// lines that are not 1-based (<= 0) dropped to "unknown", negative durations
// clamped to 0 and a non-finite run duration set to 0.
Report normalized_for_output(const Report& report);

// For the formats read on a terminal (text, nagios), applied before
// normalized_for_output(): terminal controls and invalid bytes in every
// string become visible escapes (escape_control(): ESC is shown as \x1b, an
// invalid byte as \xff) instead of U+FFFD, so the technician sees what the
// file name really holds and nothing drives the terminal (issue #20 item 1).
// Line feeds and tabs are kept: the renderers lay them out.
std::string terminal_text(std::string_view text);
Report escaped_for_terminal(const Report& report);

// Number of code points (what a terminal column count approximates; East
// Asian wide characters are counted as one).
std::size_t display_width(std::string_view utf8);

}  // namespace clinic_audit::report_output
