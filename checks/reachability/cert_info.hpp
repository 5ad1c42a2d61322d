// What the TLS probe learns of a server certificate, and the seed's annex-2
// rule on it ("certificats signés (SHA 256) avec clé publique de 2048 bits").
#pragma once

#include <optional>
#include <string>

typedef struct x509_st X509;
typedef struct ssl_st SSL;

namespace clinic_audit::reachability {

struct CertInfo {
  std::string subject;
  std::string issuer;            // issuer of the leaf
  std::string chain_top_issuer;  // issuer of the last certificate the server sent
  std::string key_type;          // RSA, EC, ED25519, DSA...
  int key_bits = 0;
  int security_bits = 0;       // EVP_PKEY_get_security_bits: comparable across key types
  std::string signature_hash;  // SHA256, SHA1... ("" when unknown)
  std::string not_after;       // ISO 8601 UTC
  long days_left = 0;
  std::string tls_version;
  long verify_code = 0;  // X509_V_OK when the chain verifies against the trust store
  std::string verify_message;
  // What the chain the server sent shows (RFC 5280 §6.1: a self-issued
  // certificate has subject == issuer and verifies with its own key).
  int chain_length = 0;           // certificates the server sent
  bool leaf_self_signed = false;  // the leaf signed itself
  bool top_self_signed = false;   // the last certificate sent is a self-signed root
  std::string chain_top_subject;  // subject of that last certificate
  bool chain_trusted() const { return verify_code == 0; }
  // The chain leads to no trusted root (self-signed, unknown issuer).
  bool untrusted_issuer() const;
  // Who most likely made the untrusted certificate, from what the chain
  // shows: the server itself (a self-signed leaf: an inspecting proxy
  // re-signs with its own CA instead), a private or inspecting CA, or
  // "cannot be told" (an unknown issuer the server does not send).
  enum class Origin { self_signed_server, inspection, private_or_inspection, unknown_issuer };
  Origin untrusted_origin() const;
  std::string untrusted_explanation() const;
  std::string describe() const;  // "RSA 2048 bits, SHA256, expires 2027-01-01 (40 days), issuer ..."
};

// Reads the leaf and the verification result of a completed handshake.
std::optional<CertInfo> inspect_peer_certificate(SSL* ssl);

struct Annex2Judgement {
  bool ok = true;
  std::string problem;  // what breaks the rule
};
// Annex 2: SHA-256 (or stronger) signature and a 2048-bit RSA key; other key
// types are held to the same strength (112 security bits, NIST SP 800-57).
Annex2Judgement judge_annex2(const CertInfo& cert, int min_rsa_bits = 2048);

}  // namespace clinic_audit::reachability
