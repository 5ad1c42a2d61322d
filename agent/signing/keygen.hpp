// `clinic-audit keygen` (DESIGN.md §4, §5; issue #8 item 1).
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace clinic_audit::signing {

struct KeygenOptions {
  enum class Algorithm { ec, rsa };

  std::filesystem::path key_path = "/etc/clinic-audit/agent.key";
  std::filesystem::path cert_path = "/etc/clinic-audit/agent.crt";
  // With a CSR path: write a PKCS#10 request for the regional CA instead of
  // a self-signed certificate. If the key exists (and --force is not given)
  // the request is made for the existing key, which is not touched.
  std::optional<std::filesystem::path> csr_path;
  Algorithm algorithm = Algorithm::ec;  // ECDSA P-256 (DESIGN §6)
  int rsa_bits = 3072;                  // 2048..16384
  bool force = false;                   // replace an existing key/certificate
  std::string hostname;                 // subject CN and SAN dNSName; "" = gethostname()
  std::string machine_id;               // subject serialNumber; "" = /etc/machine-id (omitted if absent)
  int valid_days = 1825;                // self-signed certificate lifetime
};

// Creates the key (PEM PKCS#8, mode 0600, owned by the caller: root when
// installed) and the self-signed certificate or the CSR, each written
// atomically. Reports what it did on `out`, problems on `err`. Returns
// 0 done; 64 bad option (RSA bits); 65 refused (existing key or certificate
// without `force`, existing key unusable for a CSR); 73 cannot write.
int run_keygen(const KeygenOptions& options, std::ostream& out, std::ostream& err);

// gethostname(2), or "localhost" if it fails.
std::string local_hostname();
// The first line of `path` (normally /etc/machine-id), "" if unreadable.
std::string read_machine_id(const std::filesystem::path& path = "/etc/machine-id");

}  // namespace clinic_audit::signing
