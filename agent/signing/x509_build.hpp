// Building the agent's self-signed certificate and its CSR (RFC 5280,
// RFC 2986) with the OpenSSL X509 API.
#pragma once

#include <string>

#include "openssl_ptr.hpp"

namespace clinic_audit::signing {

// O=clinic-audit, CN=<hostname>, serialNumber=<machine_id> (omitted if
// empty): the subject names the host and carries its machine-id (issue #8).
X509NamePtr agent_subject(const std::string& hostname, const std::string& machine_id);

// A v3 certificate signed by `key` itself, valid from now for `days`:
// basicConstraints CA:FALSE, keyUsage digitalSignature, SAN dNSName,
// subject/authority key identifiers.
X509Ptr make_self_signed(EVP_PKEY* key, const std::string& hostname, const std::string& machine_id, int days);

// A PKCS#10 request with the same subject and requested extensions.
X509ReqPtr make_csr(EVP_PKEY* key, const std::string& hostname, const std::string& machine_id);

// ECDSA P-256 or RSA of `rsa_bits`.
PkeyPtr generate_key(bool rsa, int rsa_bits);

}  // namespace clinic_audit::signing
