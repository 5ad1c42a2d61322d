// Parser for systemd unit files and drop-ins: text in, assignments out, no I/O.
//
// Follows systemd's own config parser (src/shared/conf-parser.c, as
// documented in systemd.syntax(7) and systemd.unit(5)):
//   - lines whose first non-blank character is '#' or ';' are comments, also
//     inside a continued line (they are skipped, not ended);
//   - a line whose last character is an unescaped '\' continues on the next
//     line; the backslash becomes a space;
//   - "[Section]" opens a section; keys and section names are case-sensitive;
//   - "Key=Value": key and value are stripped of surrounding whitespace; a
//     line without '=' or outside any section is ignored (systemd warns);
//   - a UTF-8 byte order mark at the start is skipped;
//   - a line starting with '[' but not ending with ']' ("[Service] # x") is
//     an invalid section header: config_parse() returns -EBADMSG and reads
//     no further (UnitFile::fatal).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::systemd {

struct UnitAssignment {
  std::string section;
  std::string key;
  std::string value;
  int line = 0;  // first physical line of the (possibly continued) assignment

  bool operator==(const UnitAssignment&) const = default;
};

// A line systemd would ignore with a warning.
struct UnitIssue {
  int line = 0;
  std::string message;
};

struct UnitFile {
  std::vector<UnitAssignment> assignments;  // in file order
  std::vector<UnitIssue> issues;
  // A line that stops systemd's parser (an invalid section header): nothing
  // after it is read; in a unit's main file the unit fails to load.
  std::optional<UnitIssue> fatal;
};

UnitFile parse_unit_file(std::string_view text);

// systemd's parse_boolean() (src/basic/parse-util.c): 1/yes/y/true/t/on and
// 0/no/n/false/f/off, case-insensitive; anything else is not a boolean.
std::optional<bool> parse_systemd_boolean(std::string_view text);

}  // namespace clinic_audit::systemd
