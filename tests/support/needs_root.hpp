// Tests that need root, run by another user (`ctest -LE root` as a developer):
// they print kNeedsRootMarker and CTest reports them skipped, not failed
// (SKIP_REGULAR_EXPRESSION in cmake/Testing.cmake). Run as root (CI), nothing
// changes. FixtureRoot does it when it cannot chown; a test that needs root
// for something else (unshare, setpriv, a chown of its own) starts with
// CA_REQUIRE_ROOT().
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

namespace clinic_audit::testing {

inline constexpr const char* kNeedsRootMarker = "CA_TEST_NEEDS_ROOT";

}  // namespace clinic_audit::testing

#define CA_REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << ::clinic_audit::testing::kNeedsRootMarker << ": this test needs root"
