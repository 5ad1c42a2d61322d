// The regional CA of a small region (`init --create-ca`, DESIGN §7) and the
// signing of enrolment CSRs (issue #11 item 3), with the OpenSSL X509 API.
#pragma once

#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "openssl_ptr.hpp"

namespace clinic_audit::collector {

// A CSR that cannot be signed; the message says why (for a 400 answer).
class CsrRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PkiPaths {
  std::filesystem::path ca_cert, ca_key, server_cert, server_key;
};

// Creates the CA key and certificate (ECDSA P-256, 10 years,
// basicConstraints CA:TRUE pathlen 0) and the server's key and certificate
// signed by it (2 years; SAN dNSName hostname and localhost, iPAddress
// 127.0.0.1 and ::1; EKU serverAuth). Keys are written 0600. Refuses
// (throws ExistingPki) when any of the four files exists: a region's CA
// certificate without its key is a region with its own PKI, and replacing
// it would orphan every certificate it issued. All four are written under
// temporary names first and renamed only once all are written.
class ExistingPki : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
void create_ca_and_server_cert(const PkiPaths& paths, const std::string& hostname);

// The subject fields of an agent CSR (DESIGN §7: CN=<hostname>,
// serialNumber=<machine-id>).
struct CsrSubject {
  std::string hostname;
  std::string machine_id;
};

class CertificateAuthority {
 public:
  // Loads the CA certificate and key (throws std::runtime_error naming the file).
  CertificateAuthority(const std::filesystem::path& cert, const std::filesystem::path& key);
  // Checks the CSR (PEM, self-signature, key ECDSA P-256/P-384 or RSA >=
  // 2048 as DESIGN §6 accepts, CN and serialNumber present and plausible)
  // and issues a client certificate valid `days`: subject CN and
  // serialNumber copied, keyUsage digitalSignature, EKU clientAuth, SAN
  // dNSName. Throws CsrRefused.
  std::string sign_csr(std::string_view csr_pem, int days, CsrSubject& subject) const;
  // sign_csr's checks alone (nothing signed). Throws CsrRefused.
  void check_csr(std::string_view csr_pem, CsrSubject& subject) const;
  std::string ca_pem() const;
  X509* certificate() const { return cert_.get(); }

 private:
  signing::X509ReqPtr read_csr(std::string_view csr_pem, CsrSubject& subject) const;
  signing::X509Ptr cert_;
  signing::PkeyPtr key_;
};

// PEM of a certificate.
std::string to_pem(X509* cert);
// SHA-256 of a PEM certificate's DER, or "" when it is not one.
std::string pem_fingerprint(std::string_view pem);

}  // namespace clinic_audit::collector
