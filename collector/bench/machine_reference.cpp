#include "machine_reference.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

namespace clinic_audit::collector::bench {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

}  // namespace

double ecdsa_p256_verifies_per_second(double seconds) {
  const std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen(P-256) failed");
  const std::array<unsigned char, 32> digest{};  // a SHA-256 digest's length
  std::vector<unsigned char> signature(static_cast<std::size_t>(EVP_PKEY_get_size(key.get())));
  std::size_t length = signature.size();
  const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> sign(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!sign || EVP_PKEY_sign_init(sign.get()) != 1 ||
      EVP_PKEY_sign(sign.get(), signature.data(), &length, digest.data(), digest.size()) != 1) {
    throw std::runtime_error("ECDSA P-256 signing failed");
  }
  // As `openssl speed ecdsap256` measures it (apps/speed.c): one context
  // initialised once, then EVP_PKEY_verify over the digest again and again.
  const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> verify(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!verify || EVP_PKEY_verify_init(verify.get()) != 1) throw std::runtime_error("EVP_PKEY_verify_init failed");
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  long verified = 0;
  auto now = start;
  while (now < until) {
    for (int i = 0; i < 50; ++i) {  // the clock read only every 50 verifications
      if (EVP_PKEY_verify(verify.get(), signature.data(), length, digest.data(), digest.size()) != 1) {
        throw std::runtime_error("ECDSA P-256 verification of a good signature failed");
      }
      ++verified;
    }
    now = Clock::now();
  }
  return static_cast<double>(verified) / std::chrono::duration<double>(now - start).count();
}

}  // namespace clinic_audit::collector::bench
