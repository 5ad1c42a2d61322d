// Small helpers shared by the check types' unit tests.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "common/params.hpp"

namespace clinic_audit::testing {

// "Suite.Test" of the running GoogleTest test.
std::string test_name();

// Params from name/value pairs, numbered as policy lines 1, 2, 3...
Params params(std::initializer_list<std::pair<std::string, std::string>> list);

}  // namespace clinic_audit::testing
