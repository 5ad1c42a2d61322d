// JUnit XML, the de-facto format CI servers and test dashboards read
// (Jenkins junit plugin / xunit junit-10.xsd, GitLab JUnit reports):
//   <testsuites> > <testsuite name=POLICY> > <testcase classname=POLICY name=CHECK time=SECONDS>
// fail           -> <failure message=SUMMARY type=SEVERITY>evidence, remediation</failure>
// error          -> <error message=SUMMARY type=SEVERITY>evidence</error>
// not_applicable, skipped -> <skipped message="STATUS: SUMMARY"/>
// waived         -> passes, <system-out> gives the waiver and the summary
#pragma once

#include <string>

#include "report.hpp"

namespace clinic_audit {

// One testsuite per policy (the Report's policies first, in order, then any
// policy id only results name), each with tests/failures/errors/skipped/time
// counts matching its testcases. Never throws on any Report content.
std::string render_junit(const Report& report);

}  // namespace clinic_audit
