// CSV exports (RFC 4180: CRLF line ends, fields with , " CR LF quoted, " doubled).
// Exported values come from reports, which a compromised clinic machine
// writes: a field starting with = + - @ TAB or CR would be run as a formula
// by a spreadsheet (OWASP "CSV Injection"), so such a field is prefixed with
// a single quote, which spreadsheets show as text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::dashboard {

std::string csv_field(std::string_view value);
std::string csv_row(const std::vector<std::string>& fields);

}  // namespace clinic_audit::dashboard
