// POST /api/v1/enroll (DESIGN.md §7, issue #11 item 3): {token, csr_pem} ->
// 201 {certificate_pem, ca_pem}. No client certificate needed.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "answer.hpp"
#include "pki.hpp"
#include "storage.hpp"

namespace clinic_audit::collector {

// The enrolment secret's stored form: SHA-256 hex of the secret's text.
// (A random 256-bit secret needs no slow hash: nothing to brute-force.)
std::string token_hash(std::string_view secret);
// A new secret: 32 random bytes, base64url without padding.
std::string new_token_secret();

class EnrollService {
 public:
  // `ca` null: enrolment disabled (a region with its own PKI).
  EnrollService(
      Storage& storage, std::shared_ptr<const CertificateAuthority> ca, int certificate_days,
      std::function<std::time_t()> clock = [] { return std::time(nullptr); });
  Answer enroll(std::string_view body);

 private:
  Storage& storage_;
  std::shared_ptr<const CertificateAuthority> ca_;
  int certificate_days_;
  std::function<std::time_t()> clock_;
};

}  // namespace clinic_audit::collector
