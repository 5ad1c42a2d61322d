// Checking one report's detached CMS signature (RFC 5652 §5.6) and its
// certificate chain, naming what is wrong precisely (issue #8 item 5).
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openssl_ptr.hpp"

namespace clinic_audit::signing {

// When a certificate must have been valid.
//  - signing_time (default): at the signed signingTime. A report stays
//    verifiable after its certificate expires or is renewed, which an
//    archive of reports needs; a certificate already expired when the
//    report was signed is refused. A certificate expired since is a note.
//  - now: as `openssl cms -verify` does; for a collector receiving reports.
enum class ExpiryAt { signing_time, now };

// The trust anchors of `ca_file` (PEM, one or more certificates). Throws
// SigningError(65) if the file cannot be read or holds no certificate.
X509StorePtr load_ca_store(const std::filesystem::path& ca_file);

struct SignatureFindings {
  std::vector<std::string> problems;  // each fails verification
  std::vector<std::string> notes;     // worth saying, not a failure
  std::string signer;                 // subject of the signing certificate
  std::optional<std::int64_t> signing_time;
};

struct SignatureInput {
  std::filesystem::path report;
  std::string_view content;       // the report's bytes
  std::string_view signature_der; // NAME.p7s
  // SHA-256 (hex) of the other report files being verified, by file name:
  // lets a mismatch be named "signature of another report".
  const std::map<std::string, std::string>* other_sha256 = nullptr;
};

SignatureFindings check_signature(const SignatureInput& input, X509_STORE* store, ExpiryAt expiry_at, std::time_t now);

}  // namespace clinic_audit::signing
