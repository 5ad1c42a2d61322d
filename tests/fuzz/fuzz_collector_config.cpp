// libFuzzer target: collector.conf parsing (XML + built-in XSD).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collector_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::collector;
  try {
    parse_collector_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.conf");
  } catch (const ConfigError&) {
  }
  return 0;
}
