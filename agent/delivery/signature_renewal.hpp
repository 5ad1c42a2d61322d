// A spooled report signed by an earlier certificate of this machine.
//
// The collector requires a report's signer to be the TLS client
// certificate of the connection that sends it (DESIGN.md §7; issue #11
// item 4) and answers 403 otherwise, which stops submit with every later
// report behind it. After `clinic-audit enroll --force` (a certificate
// renewed or re-issued by another regional CA, the key kept or not) the
// reports spooled before it are in that case, and none would ever reach
// the collector. submit signs such a report again with the current
// identity: the same bytes (the chain's hashes do not change), a new
// detached signature in the spool; the reports directory keeps the
// original one. Only when the earlier signer names this machine's
// machine-id (subject serialNumber) and its signature verifies over the
// bytes: a report signed for another machine is never signed again.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>

namespace clinic_audit::delivery {

enum class SignerOfReport {
  current,       // the certificate submit connects with: send as it is
  earlier,       // another certificate naming this machine: sign again
  other_machine  // another machine-id, or unreadable: send as it is (the collector judges)
};

struct SignerFinding {
  SignerOfReport kind = SignerOfReport::other_machine;
  std::string signer;       // its subject, one line
  std::string fingerprint;  // SHA-256 of its DER, hex
};

// Which certificate signed `signature_der` (a detached CMS whose signature
// over the report's bytes was verified already, spool_check.hpp), compared
// with `current`.
SignerFinding signer_of_report(std::string_view signature_der, X509* current);

}  // namespace clinic_audit::delivery
