// The collector already holds the TLS client certificate decoded, and a
// report must be signed by exactly that certificate (DESIGN §7). Decoding
// it again from every signature was the costliest part of reading the CMS
// (OpenSSL 3's public-key decoder: 9 % of the collector's CPU per report,
// perf). These helpers let check_signature() take the certificate from the
// caller instead, only where that gives the very same result.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "openssl_ptr.hpp"

namespace clinic_audit::signing {

// A certificate the caller has already decoded and whose chain it has
// already verified against the same trust store (the collector: the TLS
// client certificate of the connection, verified in the handshake).
struct KnownSigner {
  X509* certificate = nullptr;
  std::string der;  // i2d of `certificate`
  // What check_signature() reports of its signer, worked out once per
  // connection instead of per report: subject_text(),
  // subject_serial_number() and certificate_fingerprint() of `certificate`.
  std::string subject, machine_id, fingerprint;
  // The handshake verified a chain of exactly two: this certificate issued
  // directly by a trust anchor of the store, no intermediate (see
  // chain_already_verified in signature_check.cpp for why only then).
  bool verified_by_anchor = false;
  // That anchor: the shortcut is taken only with a store that holds it.
  X509Ptr anchor;
  // The intersection of the validity periods of the verified chain: the
  // verification holds at any time inside it.
  std::time_t valid_from = 0;
  std::time_t valid_until = 0;
};

// For the collector's TLS layer: `certificate` and its verified chain
// (SSL_get0_verified_chain) into a KnownSigner.
KnownSigner known_signer_of(X509* certificate, STACK_OF(X509) * verified_chain);

// `signature_der` (a DER ContentInfo with SignedData, RFC 5652 §3, §5.1)
// re-encoded without its `certificates` field, when that field holds
// exactly one certificate whose DER is `certificate_der`, byte for byte.
// nullopt for anything else (other or more certificates, none, BER
// indefinite lengths, trailing bytes, a long tag): the caller then decodes
// the signature as it came.
std::optional<std::string> without_embedded_certificate(std::string_view signature_der,
                                                        std::string_view certificate_der);

}  // namespace clinic_audit::signing
