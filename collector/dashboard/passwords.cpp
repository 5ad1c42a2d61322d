#include "passwords.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace clinic_audit::dashboard {

std::string hash_password(std::string_view password, const Argon2Params& params) {
  std::array<unsigned char, 16> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("no random bytes for a password salt");
  }
  constexpr std::size_t kHashLength = 32;
  const std::size_t length = argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                               static_cast<uint32_t>(salt.size()), kHashLength, Argon2_id);
  std::vector<char> encoded(length);
  const int rc =
      argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism, password.data(), password.size(),
                            salt.data(), salt.size(), kHashLength, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(rc));
  return std::string(encoded.data());
}

bool verify_password(std::string_view password, const std::string& encoded) {
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string password_problem(std::string_view password) {
  if (password.find('\0') != std::string_view::npos) return "the password contains a NUL byte";
  if (password.size() > 1024) return "the password is longer than 1024 bytes";
  // Count characters, not bytes: a French passphrase has accents.
  std::size_t characters = 0;
  for (const char c : password) {
    if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++characters;
  }
  if (characters < 12) return "the password has fewer than 12 characters";
  return {};
}

}  // namespace clinic_audit::dashboard
