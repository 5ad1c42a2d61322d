#include "check_test_helpers.hpp"

#include <gtest/gtest.h>

namespace clinic_audit::testing {

std::string test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? std::string("no-test") : std::string(info->test_suite_name()) + "." + info->name();
}

Params params(std::initializer_list<std::pair<std::string, std::string>> list) {
  Params p;
  int line = 1;
  for (const auto& [name, value] : list) p.add(name, value, line++);
  return p;
}

}  // namespace clinic_audit::testing
