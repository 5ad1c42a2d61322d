// Fault injection for the crash tests of the report chain (issue #8 item 4).
//
// When the environment variable CLINIC_AUDIT_CRASH_AT equals `step`, the
// process kills itself with SIGKILL right there: no destructor, no atexit
// handler, no buffered write reaches the disk, exactly like `kill -9` or a
// power cut after the page cache was flushed. Unset (the normal case) it costs
// one getenv per call. "STEP#N" crashes at the N-th time STEP is reached. The steps this library defines are listed in
// signing.hpp; the agent may add its own (e.g. between two report formats).
#pragma once

#include <string_view>

namespace clinic_audit::signing {

inline constexpr const char* kCrashEnv = "CLINIC_AUDIT_CRASH_AT";

void crash_point(std::string_view step);

}  // namespace clinic_audit::signing
