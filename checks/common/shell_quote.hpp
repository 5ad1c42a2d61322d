// Values from the audited machine (paths, file names, users, discovered
// variables) that go into a command a root technician will paste. Any byte
// may be hostile: www-data creates files and writes .htaccess (issue #20).
#pragma once

#include <string>
#include <string_view>

namespace clinic_audit {

// POSIX single-quote quoting (XCU 2.2.2): the result is one word whatever the
// input holds; a ' becomes '\'' . The empty string becomes ''.
std::string shell_quote(std::string_view value);

// True when `value` needs no quoting: only [A-Za-z0-9_@%+=:,./-] and not
// empty. Lets remediations stay readable for ordinary paths.
bool shell_safe_word(std::string_view value);

// shell_quote(value) unless shell_safe_word(value).
std::string shell_word(std::string_view value);

// For text meant for a terminal or a log: C0 controls, DEL and C1 controls
// (which include ESC-introduced sequences) become visible escapes (\n, \t,
// \x1b, \u009b). Valid UTF-8 other than C1 is kept; invalid bytes become \xNN.
std::string escape_control(std::string_view text);

}  // namespace clinic_audit
