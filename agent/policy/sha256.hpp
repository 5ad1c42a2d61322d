#pragma once
#include <string>
#include <string_view>
namespace clinic_audit {
// Lower-case hex SHA-256 of `bytes` (OpenSSL EVP).
std::string sha256_hex(std::string_view bytes);
}  // namespace clinic_audit
