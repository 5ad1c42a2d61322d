#include "pki.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <sstream>

#include "identity.hpp"
#include "signature_check.hpp"
#include "x509_build.hpp"

namespace clinic_audit::collector {
namespace {

using signing::BioPtr;
using signing::PkeyPtr;
using signing::X509NamePtr;
using signing::X509Ptr;
using signing::X509ReqPtr;

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, signing::OpensslDeleter<X509_EXTENSION_free>> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    throw std::runtime_error(std::string("cannot add extension ") + OBJ_nid2sn(nid) + ": " + signing::openssl_errors());
  }
}

void random_serial(X509* cert) {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  bytes[0] &= 0x7F;  // positive (RFC 5280 §4.1.2.2)
  std::unique_ptr<BIGNUM, signing::OpensslDeleter<BN_free>> number(BN_bin2bn(bytes, sizeof bytes, nullptr));
  BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert));
}

X509Ptr new_cert(X509_NAME* subject, X509_NAME* issuer, EVP_PKEY* public_key, long days) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  random_serial(cert.get());
  X509_set_subject_name(cert.get(), subject);
  X509_set_issuer_name(cert.get(), issuer);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);  // tolerate small clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 86400L);
  X509_set_pubkey(cert.get(), public_key);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0)
    throw std::runtime_error("cannot sign certificate: " + signing::openssl_errors());
}

void write_private(const std::filesystem::path& path, EVP_PKEY* key) {
  const mode_t old = umask(077);
  BioPtr out(BIO_new_file(path.c_str(), "wb"));
  umask(old);
  if (!out || PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::runtime_error("cannot write " + path.string());
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

void write_cert(const std::filesystem::path& path, X509* cert) {
  BioPtr out(BIO_new_file(path.c_str(), "wb"));
  if (!out || PEM_write_bio_X509(out.get(), cert) != 1) throw std::runtime_error("cannot write " + path.string());
}

X509NamePtr name_of(const std::string& organisation, const std::string& common_name) {
  X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(organisation.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  return name;
}

std::string name_entry(X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
  if (length < 0) return {};
  std::string text(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return text;
}

bool alphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// What is wrong with `name` as the host name the agent puts in CN and in
// the SAN dNSName, or "". RFC 1123 §2.1 labels: letters, digits, hyphens,
// 1-63 characters, starting and ending with a letter or digit; dots only
// between labels (no empty label, no trailing dot). An underscore is
// tolerated inside a label, as many clinic machines are named (PC_ACCUEIL)
// and X.509 validators accept it in dNSName. At most 64 characters: the
// upper bound of a CN (RFC 5280 appendix A, ub-common-name), which the
// certificate could not hold. Not an IPv4 address: a dNSName naming one
// means nothing (RFC 5280 §4.2.1.6 has iPAddress for that).
std::string hostname_problem(const std::string& name) {
  if (name.empty()) return "is missing";
  if (name.size() > 64) return "is longer than 64 characters (the bound of a certificate CN, RFC 5280)";
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label =
        std::string_view(name).substr(start, dot == std::string::npos ? name.npos : dot - start);
    if (label.empty()) return "has an empty label (a leading, trailing or doubled dot)";
    if (label.size() > 63) return "has a label longer than 63 characters (RFC 1123)";
    if (!alphanumeric(label.front()) || !alphanumeric(label.back()))
      return "has a label that does not start and end with a letter or digit (RFC 1123)";
    for (char c : label) {
      if (!alphanumeric(c) && c != '-' && c != '_') return "has a character other than a letter, digit, '-' or '_'";
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  in_addr ipv4{};
  if (inet_pton(AF_INET, name.c_str(), &ipv4) == 1) return "is an IPv4 address, not a host name";
  return {};
}

// machine-id(5): 32 lower-case hexadecimal characters.
bool plausible_machine_id(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void check_key(EVP_PKEY* key) {
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key) < 2048)
      throw CsrRefused("RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) + " bits (2048 at least)");
    return;
  }
  if (type == EVP_PKEY_EC) {
    char curve[64] = {};
    std::size_t length = 0;
    EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, &length);
    const std::string name(curve, length);
    if (name != "prime256v1" && name != "secp384r1")
      throw CsrRefused("EC key on curve " + name + " (P-256 or P-384 expected)");
    return;
  }
  throw CsrRefused("key type is neither RSA nor EC");
}

}  // namespace

void create_ca_and_server_cert(const PkiPaths& paths, const std::string& hostname) {
  std::error_code error;
  for (const auto& path : {paths.ca_key, paths.ca_cert, paths.server_key, paths.server_cert}) {
    if (std::filesystem::symlink_status(path, error).type() != std::filesystem::file_type::not_found) {
      throw ExistingPki(path.string() +
                        " exists: refusing to replace the regional CA or the server's certificate (to start a new "
                        "region, move the old files away first; a region with its own CA runs init without "
                        "--create-ca)");
    }
  }
  PkeyPtr ca_key = signing::generate_key(false, 0);
  X509NamePtr ca_name = name_of("clinic-audit", "clinic-audit regional CA (" + hostname + ")");
  X509Ptr ca = new_cert(ca_name.get(), ca_name.get(), ca_key.get(), 3650);
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  sign(ca.get(), ca_key.get());

  PkeyPtr server_key = signing::generate_key(false, 0);
  X509NamePtr server_name = name_of("clinic-audit", hostname);
  X509Ptr server = new_cert(server_name.get(), ca_name.get(), server_key.get(), 730);
  add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  const std::string san =
      "DNS:" + hostname + (hostname == "localhost" ? "" : ",DNS:localhost") + ",IP:127.0.0.1,IP:::1";
  add_extension(server.get(), ca.get(), NID_subject_alt_name, san.c_str());
  add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  sign(server.get(), ca_key.get());

  const std::array<std::filesystem::path, 4> finals{paths.ca_key, paths.ca_cert, paths.server_key, paths.server_cert};
  std::array<std::filesystem::path, 4> temps;
  for (std::size_t i = 0; i < finals.size(); ++i) {
    if (finals[i].has_parent_path()) std::filesystem::create_directories(finals[i].parent_path());
    temps[i] = finals[i];
    temps[i] += ".new";
  }
  try {
    write_private(temps[0], ca_key.get());
    write_cert(temps[1], ca.get());
    write_private(temps[2], server_key.get());
    write_cert(temps[3], server.get());
    for (std::size_t i = 0; i < finals.size(); ++i) std::filesystem::rename(temps[i], finals[i]);
  } catch (...) {
    for (const auto& temp : temps) std::filesystem::remove(temp, error);
    throw;
  }
}

CertificateAuthority::CertificateAuthority(const std::filesystem::path& cert, const std::filesystem::path& key) {
  BioPtr cert_bio(BIO_new_file(cert.c_str(), "rb"));
  if (cert_bio) cert_.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert_) {
    ERR_clear_error();
    throw std::runtime_error("cannot read the CA certificate " + cert.string() + " (PEM expected)");
  }
  key_ = signing::load_private_key(key);
  if (X509_check_private_key(cert_.get(), key_.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("the CA key " + key.string() + " does not match the CA certificate " + cert.string());
  }
}

signing::X509ReqPtr CertificateAuthority::read_csr(std::string_view csr_pem, CsrSubject& subject) const {
  if (csr_pem.size() > 64 * 1024) throw CsrRefused("CSR larger than 64 KiB");
  BioPtr in = signing::memory_bio(csr_pem.data(), csr_pem.size());
  X509ReqPtr csr(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
  if (!csr) {
    ERR_clear_error();
    throw CsrRefused("csr_pem is not a PEM certificate request (PKCS#10)");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr.get());
  if (key == nullptr || X509_REQ_verify(csr.get(), key) != 1) {
    ERR_clear_error();
    throw CsrRefused("the CSR's self-signature does not verify");
  }
  check_key(key);
  X509_NAME* name = X509_REQ_get_subject_name(csr.get());
  subject.hostname = name_entry(name, NID_commonName);
  subject.machine_id = name_entry(name, NID_serialNumber);
  if (const std::string problem = hostname_problem(subject.hostname); !problem.empty()) {
    throw CsrRefused("the CSR's subject CN, the host name, " + problem);
  }
  if (!plausible_machine_id(subject.machine_id)) {
    throw CsrRefused("the CSR's subject serialNumber is not a machine-id (32 lower-case hex digits, machine-id(5))");
  }
  return csr;
}

void CertificateAuthority::check_csr(std::string_view csr_pem, CsrSubject& subject) const {
  read_csr(csr_pem, subject);
}

std::string CertificateAuthority::sign_csr(std::string_view csr_pem, int days, CsrSubject& subject) const {
  const X509ReqPtr csr = read_csr(csr_pem, subject);
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr.get());
  X509NamePtr issued = signing::agent_subject(subject.hostname, subject.machine_id);
  X509Ptr cert = new_cert(issued.get(), X509_get_subject_name(cert_.get()), key, days);
  add_extension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), cert_.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), cert_.get(), NID_ext_key_usage, "clientAuth");
  add_extension(cert.get(), cert_.get(), NID_subject_alt_name, ("DNS:" + subject.hostname).c_str());
  add_extension(cert.get(), cert_.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
  sign(cert.get(), key_.get());
  return to_pem(cert.get());
}

std::string CertificateAuthority::ca_pem() const { return to_pem(cert_.get()); }

std::string to_pem(X509* cert) {
  BioPtr out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), cert);
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string pem_fingerprint(std::string_view pem) {
  BioPtr in = signing::memory_bio(pem.data(), pem.size());
  X509Ptr cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert ? signing::certificate_fingerprint(cert.get()) : std::string();
}

}  // namespace clinic_audit::collector
