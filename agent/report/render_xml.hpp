// The XML report: the JSON report's content under the same names
// (DESIGN.md §6), namespace urn:clinic-audit:report:1, described by
// agent/schemas/report.xsd.
#pragma once

#include <string>

#include "report.hpp"

namespace clinic_audit {

inline constexpr const char* kReportXmlNamespace = "urn:clinic-audit:report:1";

// Scalars are attributes, free text (title, summary, observed, expected,
// remediation, waiver) is element content. An absent previous_sha256 or
// evidence line is an absent attribute (JSON null). Each evidence item is one
// <evidence> element. A CR is written as &#13; so that it survives XML
// end-of-line handling: every character arrives as in the JSON report.
// Never throws on any Report content.
std::string render_xml(const Report& report);

}  // namespace clinic_audit
