// Small helpers shared by the check types' unit tests.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "common/params.hpp"

namespace clinic_audit::testing {

// "Suite.Test" of the running GoogleTest test.
std::string test_name();

// Params from name/value pairs, numbered as policy lines 1, 2, 3...
Params params(std::initializer_list<std::pair<std::string, std::string>> list);

// Whole content of a (test fixture) file; "" when it cannot be read.
std::string read_text(const std::filesystem::path& path);

// Names of the subdirectories of `dir` (a corpus of cases), sorted; none when absent.
std::vector<std::string> subdirectory_names(const std::filesystem::path& dir);

}  // namespace clinic_audit::testing
