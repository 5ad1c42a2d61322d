// The one list of report formats (STYLE.md §2): name -> file extension and
// renderer. `--format NAME` and `--out DIR` (DESIGN.md §4, §6) go through it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "report.hpp"

namespace clinic_audit {

struct RenderOptions {
  bool color = false;  // ANSI colours; only the text format uses it
};

using RenderFunction = std::string (*)(const Report&, const RenderOptions&);
// A format that is also a protocol (the Monitoring Plugins' exit codes):
// the process exit code when it is the only --format, and the stdout line
// that says the audit could not run (`why`, the step, the usual exit code).
using ExitCodeFunction = int (*)(const Report&);
struct NotRunOutput {
  std::string line;
  int exit_code;
};
using NotRunFunction = NotRunOutput (*)(std::string_view why, std::string_view step, int usual_exit_code);

struct ReportFormat {
  std::string_view name;       // as given to --format
  std::string_view extension;  // without the dot: clinic-audit-HOST-STAMP.<extension>
  RenderFunction render;
  ExitCodeFunction own_exit_code = nullptr;  // nullptr: DESIGN.md §4's codes
  NotRunFunction not_run = nullptr;          // nullptr: message on stderr only
};

// text, json, xml, junit, nagios, prometheus, in that order.
std::span<const ReportFormat> report_formats();
// nullptr when `name` is not a format.
const ReportFormat* find_report_format(std::string_view name);

}  // namespace clinic_audit
