// A JSON report (render_json's output, DESIGN.md §6) read back into a
// Report: `clinic-audit status` renders the newest stored report in another
// format without auditing again.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "report.hpp"

namespace clinic_audit {

struct ReportReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ReportReadError naming `origin` and the offending key (e.g.
// "r.json: results[3].status: unknown status 'bogus'") when the text is not
// JSON or not a clinic-audit/report/1 document.
Report read_json_report(std::string_view text, const std::string& origin);

}  // namespace clinic_audit
