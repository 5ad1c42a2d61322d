// libFuzzer target: the policy/site-configuration text forms of the
// reachability check (port lists, servers, proxy URLs). Bad input must be a
// std::invalid_argument, never a crash.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "endpoint_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace clinic_audit::reachability;
  try {
    const auto ports = parse_port_list(text);
    for (const auto& range : ports) {
      if (range.first == 0 || range.last < range.first) __builtin_trap();
    }
    if (parse_port_list(format_port_list(ports)) != ports) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto server = parse_server(text);
    if (server.label().empty()) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto proxy = parse_proxy_url(text);
    if (proxy.host.empty() || proxy.port == 0) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
