// Fixture roots for the openssl tests: Debian 12's stock openssl.cnf
// (tests/fixtures/openssl/debian12-openssl.cnf), plus what each case adds.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace clinic_audit::openssl::testing {

struct ConfigCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;  // in-root path, content
  std::vector<std::pair<std::string, std::string>> links;  // in-root path, target
  std::vector<std::string> dirs;
};

// The stock Debian 12 file.
std::string debian12_cnf();
// Debian's file with the ssl_conf chain appended, system_default holding `lines`.
std::string debian12_with_system_default(const std::string& lines);

// The configurations compared against the library (at least 15, DESIGN §3).
std::vector<ConfigCase> differential_cases();
const ConfigCase& find_case(const std::string& name);

// Builds the case's root under the build tree; returns its directory.
std::filesystem::path build_root(const ConfigCase& c);

}  // namespace clinic_audit::openssl::testing
