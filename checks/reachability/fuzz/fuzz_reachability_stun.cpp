// libFuzzer target: the STUN response decoder (RFC 5389) of the reachability
// probes, which reads whatever a UDP port or TCP/TLS stream sends back.
#include <cstddef>
#include <cstdint>
#include <span>

#include "stun_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  clinic_audit::reachability::TransactionId id{};
  // Take the transaction id from the input when there is one, so that the
  // fuzzer reaches the attribute parser, not only the id comparison.
  if (size >= 20) {
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = data[8 + i];
  }
  (void)clinic_audit::reachability::stun_message_length(bytes);
  const auto decoded = clinic_audit::reachability::decode_stun_response(bytes, id);
  if (decoded.response && decoded.response->mapped) {
    // A decoded address is always a valid textual IPv4/IPv6 address.
    if (decoded.response->mapped->address.empty()) __builtin_trap();
  }
  if (!decoded.response && !decoded.error) __builtin_trap();
  return 0;
}
