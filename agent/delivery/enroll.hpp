// `clinic-audit enroll --collector URL --token T [--ca-fingerprint SHA256]
// [--force]` (DESIGN.md §7, issue #12 item 3): obtains this machine's
// certificate from the regional collector.
//
//  1. The key is created if there is none (ECDSA P-256, 0600) and a CSR is
//     made for it naming the hostname (CN) and /etc/machine-id
//     (serialNumber), exactly as `keygen --csr` does.
//  2. POST /api/v1/enroll {token, csr_pem} over TLS, the collector verified
//     against the pinned CA fingerprint when given (first contact), else
//     against ca.crt when present, else against the system's CAs.
//  3. The answer's certificate must be for our key and chain to the
//     answer's CA, whose fingerprint must be the pinned one when given.
//  4. ca.crt then agent.crt are written atomically where <signing> says
//     (default /etc/clinic-audit/), and the URL in STATE_DIR/collector.
//
// Exit codes: 0 enrolled; 65 an enrolled identity exists (--force replaces
// its certificate; the key is kept), bad URL/fingerprint, unusable answer;
// 73 cannot write; 75 collector unreachable (try again); 77 token refused
// (401) or collector not trusted (fingerprint mismatch, other CA).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace clinic_audit::delivery {

struct EnrollSettings {
  std::string collector_url;
  std::string token;
  std::optional<std::string> ca_fingerprint;
  bool force = false;
  std::optional<std::string> proxy;
  std::filesystem::path state_dir;
  std::filesystem::path key, cert, ca;
  std::chrono::seconds step_timeout{30};
};

int run_enroll(const EnrollSettings& settings, std::ostream& out, std::ostream& err);

}  // namespace clinic_audit::delivery
