// Certificates for the TLS peers of the tests, made with the openssl CLI in
// a temporary directory: a test CA, a good leaf, a 1024-bit leaf, a SHA-1
// signed leaf and a leaf from an untrusted "inspecting proxy" CA.
#pragma once

#include <filesystem>

namespace clinic_audit::reachability::testing {

struct CertPair {
  std::filesystem::path cert;
  std::filesystem::path key;
};

class TestPki {
 public:
  explicit TestPki(const std::filesystem::path& dir);  // throws std::runtime_error
  std::filesystem::path ca_file;                       // the trust store the check is given
  CertPair good;                                       // RSA 2048, SHA-256, CN/SAN localhost, 127.0.0.1, ::1
  CertPair weak;                                       // RSA 1024, SHA-256
  CertPair sha1;                                       // RSA 2048, SHA-1 signature
  CertPair rogue;                                      // issued by "Inspecting Proxy CA", not in ca_file
  CertPair self_signed;                                // CN/SAN localhost, signed by its own key
  CertPair private_chain;                              // leaf + its untrusted root "Clinic Private Root", both sent
};

}  // namespace clinic_audit::reachability::testing
