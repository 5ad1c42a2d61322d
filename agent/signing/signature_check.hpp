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

#include "cms_known_signer.hpp"
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
  // The signing certificate (set once the signature value verified), its
  // subject serialNumber (the machine-id, DESIGN §7) and the SHA-256 of its
  // DER (lower-case hex): what binds a report to one host's identity.
  X509Ptr signer_certificate;
  std::string signer_machine_id;
  std::string signer_fingerprint;
  // True when the problems include one about the certificate (wrong CA,
  // expired, not yet valid): the collector answers 403 for those, 422 for a
  // signature that does not verify.
  bool certificate_problem = false;
};

// Subject serialNumber (OID 2.5.4.5) of `cert`, "" if none.
std::string subject_serial_number(X509* cert);
// SHA-256 of the certificate's DER, lower-case hex.
std::string certificate_fingerprint(X509* cert);

struct SignatureInput {
  std::filesystem::path report;
  std::string_view content;        // the report's bytes
  std::string_view signature_der;  // NAME.p7s
  // SHA-256 (hex) of the other report files being verified, by file name:
  // lets a mismatch be named "signature of another report".
  const std::map<std::string, std::string>* other_sha256 = nullptr;
  // Compare the file name with the one signed in content-hints ("renamed
  // report"). The collector receives bytes, not files: it turns this off.
  bool check_name = true;
  // The certificate the caller already holds (the collector: the TLS client
  // certificate). Changes no finding, only the work: see cms_known_signer.hpp.
  const KnownSigner* known_signer = nullptr;
  // The content's SHA-256 (lower-case hex), when the caller has computed it
  // already (the collector stores it): used as the content's digest when
  // the signer's digest algorithm is SHA-256, instead of hashing the
  // 20-40 KB again. The same function of the same bytes: no finding changes.
  std::string_view content_sha256 = {};
};

SignatureFindings check_signature(const SignatureInput& input, X509_STORE* store, ExpiryAt expiry_at, std::time_t now);

}  // namespace clinic_audit::signing
