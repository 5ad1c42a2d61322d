// without_embedded_certificate() reads a DER CMS signature sent by a client:
// any bytes give nullopt or a shorter signature without that certificate,
// never a crash or a read past the input. Input: 2 bytes (big-endian) the
// certificate's length, the certificate's DER, then the signature.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cms_known_signer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t length = (static_cast<std::size_t>(data[0]) << 8) | data[1];
  if (size - 2 < length) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::string_view certificate = all.substr(2, length);
  const std::string_view signature = all.substr(2 + length);
  const auto stripped = clinic_audit::signing::without_embedded_certificate(signature, certificate);
  if (stripped) {
    // The certificate is gone: shorter, and nothing left to strip.
    if (stripped->size() >= signature.size() + 8 ||
        clinic_audit::signing::without_embedded_certificate(*stripped, certificate)) {
      std::abort();
    }
  }
  return 0;
}
