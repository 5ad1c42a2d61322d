// `clinic-audit list` and `clinic-audit explain`: what the loaded policies
// contain, without running anything.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline.hpp"

namespace clinic_audit {

struct CatalogRequest {
  std::vector<std::string> policies;  // empty: every shipped policy
  std::optional<std::filesystem::path> config;
  std::filesystem::path root = "/";
  bool types = false;  // list check types instead of checks
};

int list_checks(const CatalogRequest& request, std::ostream& out, std::ostream& err);
int explain_check(const CatalogRequest& request, const std::string& check_id, std::ostream& out, std::ostream& err);

}  // namespace clinic_audit
