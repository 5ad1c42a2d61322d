// libFuzzer target: the policy loader (XML parse, XSD validation, model) and
// the plan builder (variables, check parameters) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/root_fs.hpp"
#include "config/site_config.hpp"
#include "engine/plan.hpp"
#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit;
  static const auto xsd = std::filesystem::path(CA_TEST_SOURCE_DIR) / "policies" / "policy.xsd";
  // An empty root: discovery must cope with nothing being there.
  static RootFs empty_root(std::filesystem::path(CA_TEST_BINARY_DIR) / "fuzz-work" / "empty-root");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    std::vector<Policy> policies;
    policies.push_back(parse_policy(text, "fuzz.xml", xsd));
    build_plan(std::move(policies), SiteConfig{}, empty_root);
  } catch (const LoadFailure&) {
    // Expected for most inputs: a clean, numbered error.
  }
  return 0;
}
