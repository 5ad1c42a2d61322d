// libFuzzer target: the site configuration loader (agent.conf) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/site_config.hpp"
#include "policy/load_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit;
  static const auto xsd = std::filesystem::path(CA_TEST_SOURCE_DIR) / "agent" / "config" / "agent-config.xsd";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    parse_site_config(text, "fuzz.conf", xsd);
  } catch (const LoadFailure&) {
  }
  return 0;
}
