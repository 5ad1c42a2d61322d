// The agent's signing identity: private key, certificate, optional chain
// (DESIGN.md §5: /etc/clinic-audit/agent.key, agent.crt; §6 Signature).
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openssl_ptr.hpp"

namespace clinic_audit::signing {

class SigningIdentity {
 public:
  // Loads and checks the identity. Call it BEFORE writing any report, so a
  // refusal leaves nothing behind. Throws SigningError(65) when:
  //  - the key is missing, not a regular file, or cannot be read;
  //  - the key is readable or writable by group or others (mode & 077), or,
  //    when running as root, not owned by root (DESIGN §5: "key 0600 root");
  //  - the key is not an unencrypted PEM private key (never prompts), or is
  //    RSA < 2048 bits, or neither RSA nor EC;
  //  - the certificate is missing or unreadable, does not match the key,
  //    is not yet valid or has expired at `now`;
  //  - the chain file (optional, PEM, issuing CAs for the certificate) has
  //    no certificate.
  // Messages name the file and the fix; they never contain key material.
  static SigningIdentity load(const std::filesystem::path& key_path, const std::filesystem::path& cert_path,
                              const std::optional<std::filesystem::path>& chain_path = std::nullopt,
                              std::time_t now = std::time(nullptr));

  // A detached CMS SignedData (RFC 5652 §5) over exactly `bytes`, DER:
  // SHA-256 digest, signed attributes contentType, messageDigest,
  // signingTime (RFC 5652 §11.3), ESS signingCertificateV2 (RFC 5035, binds
  // the certificate), and contentHints (RFC 2634 §2.9) whose description is
  // `content_name` so verify can tell "bytes changed" from "signature of
  // another report". The signer's certificate and the chain are embedded
  // (CMS_sign(3), CMS_add1_signer(3)).
  std::vector<unsigned char> sign_detached(std::string_view bytes, std::string_view content_name) const;

  const std::filesystem::path& key_path() const { return key_path_; }
  const std::filesystem::path& cert_path() const { return cert_path_; }
  X509* certificate() const { return cert_.get(); }
  std::string subject() const;
  std::string algorithm() const;  // "ECDSA P-256", "RSA 3072", ...

 private:
  SigningIdentity() = default;
  std::filesystem::path key_path_;
  std::filesystem::path cert_path_;
  PkeyPtr key_;
  X509Ptr cert_;
  CertStackPtr chain_;
};

// Reads a private key with the checks SigningIdentity::load applies to it
// (regular file, mode & 077 == 0, owned by root when running as root,
// unencrypted PEM, RSA >= 2048 or EC). Throws SigningError(65).
PkeyPtr load_private_key(const std::filesystem::path& key_path);

// The algorithm text of a key ("ECDSA P-256", "RSA 2048").
std::string describe_key(EVP_PKEY* key);

// The certificate's subject, one line (RFC 2253 order).
std::string subject_text(X509* cert);
std::string issuer_text(X509* cert);

}  // namespace clinic_audit::signing
