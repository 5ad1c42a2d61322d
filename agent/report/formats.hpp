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

struct ReportFormat {
  std::string_view name;       // as given to --format
  std::string_view extension;  // without the dot: clinic-audit-HOST-STAMP.<extension>
  RenderFunction render;
};

// text, json, xml, junit, nagios, prometheus, in that order.
std::span<const ReportFormat> report_formats();
// nullptr when `name` is not a format.
const ReportFormat* find_report_format(std::string_view name);

}  // namespace clinic_audit
