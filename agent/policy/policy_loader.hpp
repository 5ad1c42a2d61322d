// Loads policies: schema validation (numbered errors with file and line),
// then the model, then check-type and parameter validation against the
// registry -- so that every policy problem is found before anything runs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "policy.hpp"

namespace clinic_audit {

// Parses and validates one policy document. `xsd` is policies/policy.xsd.
// Throws LoadFailure listing every error.
Policy parse_policy(std::string_view content, const std::filesystem::path& file, const std::filesystem::path& xsd);

// Reads (size-capped) and parses a policy file.
Policy load_policy_file(const std::filesystem::path& file, const std::filesystem::path& xsd);

// Where shipped policies live: the source tree's policies/ when this binary
// runs from its build tree, else /usr/share/clinic-audit/policies.
std::filesystem::path policy_directory();

// `spec` is a policy id (looked up as <dir>/<id>.xml) or a path to a file
// (anything containing '/' or ending in .xml).
std::filesystem::path locate_policy(std::string_view spec, const std::filesystem::path& dir);

// Ids of the policies shipped in `dir` (every *.xml), sorted.
std::vector<std::string> shipped_policy_ids(const std::filesystem::path& dir);

}  // namespace clinic_audit
