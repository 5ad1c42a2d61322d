// Shared by the RootFs tests: the fixture (a fixture root per test) and the
// FsError expectation.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "fixture_root.hpp"
#include "root_fs.hpp"

namespace clinic_audit::root_fs_test {

using testing::FixtureRoot;
using testing::fixture_dir;

inline std::string test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

// Expects `fn` to throw FsError with errno `err`; returns the error message.
template <typename Fn>
std::string expect_fs_error(Fn fn, int err, const std::string& path) {
  try {
    fn();
  } catch (const FsError& e) {
    EXPECT_EQ(e.error_number(), err) << e.what();
    EXPECT_EQ(e.path(), path) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no FsError thrown (expected errno " << err << " at " << path << ")";
  return {};
}

class RootFsTest : public ::testing::Test {
 protected:
  RootFsTest() : root_(fixture_dir("common/" + test_name())) {}
  FixtureRoot root_;
};

}  // namespace clinic_audit::root_fs_test
