#include "identity.hpp"
#include "i18n.hpp"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "common/host_file.hpp"
#include "content_hints.hpp"
#include "signing_error.hpp"

namespace clinic_audit::signing {
namespace {

std::string mode_text(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

// Caps (issue #20 item 8): an RSA-16384 key in PEM is under 13 KiB, a
// certificate a few KiB, a chain a few certificates.
constexpr std::size_t kMaxKeyBytes = 64 * 1024;
constexpr std::size_t kMaxCertificateBytes = 1024 * 1024;

// Reads the key file after checking, on the open descriptor (no race with a
// chmod between check and read), that only its owner can read or write it.
// Never blocks (a FIFO is refused before it is opened) and never reads more
// than kMaxKeyBytes. The bytes are wiped by the caller once parsed.
std::string read_private_key_file(const std::filesystem::path& path) {
  auto inspect = [&](const struct stat& st) {
    if ((st.st_mode & 077) != 0) {
      throw SigningError(kExitRefused, tr("signing key {0} has mode {1}: it must be readable and writable by its "
                                          "owner only; refusing to sign (fix: chmod 600 {0})",
                                          path.string(), mode_text(st.st_mode)));
    }
    if (::geteuid() == 0 && st.st_uid != 0) {
      throw SigningError(
          kExitRefused, tr("signing key {0} is owned by uid {1}, not root; refusing to sign (fix: chown root:root {0})",
                           path.string(), st.st_uid));
    }
  };
  try {
    return read_host_file(path, kMaxKeyBytes, inspect);
  } catch (const HostFileError& e) {
    if (e.error_number() == ENOENT) {
      throw SigningError(kExitRefused,
                         tr("signing key {0} not found: create it with `clinic-audit keygen`, or run with --no-sign",
                            path.string()));
    }
    throw SigningError(kExitRefused, tr("cannot read signing key {0}", e.what()));
  }
}

// Refuses to prompt: a headless agent has nobody to type a passphrase.
int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

PkeyPtr load_private_key(const std::filesystem::path& path) {
  std::string bytes = read_private_key_file(path);
  const bool encrypted = bytes.find("ENCRYPTED") != std::string::npos;
  BioPtr bio = memory_bio(bytes.data(), bytes.size());
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  // The error queue may describe the parse failure; it never holds key bytes,
  // but a generic message is all the operator needs.
  ERR_clear_error();
  if (!key) {
    throw SigningError(kExitRefused, encrypted ? tr("signing key {0} is protected by a passphrase; the agent needs an "
                                                    "unencrypted key readable by root only",
                                                    path.string())
                                               : tr("signing key {0} is not a PEM private key", path.string()));
  }
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key.get()) < 2048) {
    throw SigningError(kExitRefused, tr("signing key {0} is RSA {1} bits; at least 2048 are required (DESIGN §6)",
                                        path.string(), EVP_PKEY_get_bits(key.get())));
  }
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
    throw SigningError(kExitRefused, tr("signing key {0} is neither ECDSA nor RSA", path.string()));
  }
  return key;
}

namespace {

// The whole file, bounded and never blocking; a SigningError naming it otherwise.
std::string read_certificate_file(const std::filesystem::path& path, const char* what) {
  try {
    return read_host_file(path, kMaxCertificateBytes);
  } catch (const HostFileError& e) {
    if (e.error_number() == ENOENT) {
      throw SigningError(kExitRefused, std::string_view(what) == "certificate"
                                           ? tr("certificate {0} not found: create it with `clinic-audit keygen`, "
                                                "or install the one the regional CA issued",
                                                path.string())
                                           : tr("certificate chain {0} not found", path.string()));
    }
    throw SigningError(kExitRefused, std::string_view(what) == "certificate"
                                         ? tr("cannot read certificate {0}", e.what())
                                         : tr("cannot read certificate chain {0}", e.what()));
  }
}

X509Ptr read_certificate(const std::filesystem::path& path, const char* what) {
  const std::string bytes = read_certificate_file(path, what);
  BioPtr bio = memory_bio(bytes.data(), bytes.size());
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    BIO_reset(bio.get());
    cert.reset(d2i_X509_bio(bio.get(), nullptr));
  }
  ERR_clear_error();
  if (!cert) throw SigningError(kExitRefused, tr("certificate {0} is not a certificate (PEM or DER)", path.string()));
  return cert;
}

CertStackPtr read_chain(const std::filesystem::path& path) {
  const std::string bytes = read_certificate_file(path, "certificate chain");
  BioPtr bio = memory_bio(bytes.data(), bytes.size());
  CertStackPtr chain(sk_X509_new_null());
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) sk_X509_push(chain.get(), cert);
  ERR_clear_error();
  if (sk_X509_num(chain.get()) == 0) {
    throw SigningError(kExitRefused, tr("certificate chain {0} holds no PEM certificate", path.string()));
  }
  return chain;
}

}  // namespace

std::string describe_key(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
  char group[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) == 1) {
    const std::string name(group, length);
    if (name == "prime256v1" || name == "P-256") return "ECDSA P-256";
    if (name == "secp384r1" || name == "P-384") return "ECDSA P-384";
    if (name == "secp521r1" || name == "P-521") return "ECDSA P-521";
    return "ECDSA " + name;
  }
  return "ECDSA";
}

namespace {
std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}
}  // namespace

std::string subject_text(X509* cert) { return name_text(X509_get_subject_name(cert)); }
std::string issuer_text(X509* cert) { return name_text(X509_get_issuer_name(cert)); }

SigningIdentity SigningIdentity::load(const std::filesystem::path& key_path, const std::filesystem::path& cert_path,
                                      const std::optional<std::filesystem::path>& chain_path, std::time_t now) {
  SigningIdentity identity;
  identity.key_path_ = key_path;
  identity.cert_path_ = cert_path;
  identity.key_ = load_private_key(key_path);
  identity.cert_ = read_certificate(cert_path, "certificate");
  if (X509_check_private_key(identity.cert_.get(), identity.key_.get()) != 1) {
    ERR_clear_error();
    throw SigningError(kExitRefused, tr("certificate {0} does not match the signing key {1}: it was issued for "
                                        "another key (install the certificate issued for this key's CSR, or run "
                                        "`clinic-audit keygen --force`)",
                                        cert_path.string(), key_path.string()));
  }
  const ASN1_TIME* not_before = X509_get0_notBefore(identity.cert_.get());
  const ASN1_TIME* not_after = X509_get0_notAfter(identity.cert_.get());
  if (X509_cmp_time(not_after, &now) < 0) {
    throw SigningError(kExitRefused, tr("certificate {0} expired on {1}; refusing to sign (renew it: `clinic-audit "
                                        "keygen --csr FILE` for the regional CA, or `--force` for a new self-signed "
                                        "one)",
                                        cert_path.string(), asn1_time_text(not_after)));
  }
  if (X509_cmp_time(not_before, &now) > 0) {
    throw SigningError(kExitRefused, tr("certificate {0} is not valid before {1} (check the system clock)",
                                        cert_path.string(), asn1_time_text(not_before)));
  }
  if (chain_path) identity.chain_ = read_chain(*chain_path);
  return identity;
}

std::vector<unsigned char> SigningIdentity::sign_detached(std::string_view bytes, std::string_view content_name) const {
  // CMS_sign(3): CMS_PARTIAL so attributes can be added before CMS_final;
  // CMS_DETACHED keeps the content out; CMS_BINARY signs the exact bytes (no
  // MIME canonicalisation); CMS_NOSMIMECAP drops an attribute useless here;
  // CMS_CADES adds signingCertificateV2 (RFC 5035) so the certificate cannot
  // be swapped for another one with the same key.
  constexpr unsigned int kFlags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | CMS_CADES;
  auto fail = [](const char* step) {
    return SigningError(kExitInternal, tr("cannot create the CMS signature ({0}): {1}", step, openssl_errors()));
  };
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags));
  if (!cms) throw fail("CMS_sign");
  CMS_SignerInfo* signer = CMS_add1_signer(cms.get(), cert_.get(), key_.get(), EVP_sha256(), kFlags);
  if (signer == nullptr) throw fail("CMS_add1_signer");
  if (!add_content_hints(signer, content_name)) throw fail("content hints");
  if (chain_) {
    for (int i = 0; i < sk_X509_num(chain_.get()); ++i) {
      if (CMS_add1_cert(cms.get(), sk_X509_value(chain_.get(), i)) != 1) throw fail("CMS_add1_cert");
    }
  }
  BioPtr content = memory_bio(bytes.data(), bytes.size());
  // CMS_final adds messageDigest and signingTime (RFC 5652 §11.2, §11.3), then signs.
  if (CMS_final(cms.get(), content.get(), nullptr, kFlags) != 1) throw fail("CMS_final");
  const int length = i2d_CMS_ContentInfo(cms.get(), nullptr);
  if (length <= 0) throw fail("DER encoding");
  std::vector<unsigned char> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  i2d_CMS_ContentInfo(cms.get(), &out);
  return der;
}

std::string SigningIdentity::subject() const { return subject_text(cert_.get()); }
std::string SigningIdentity::algorithm() const { return describe_key(key_.get()); }

}  // namespace clinic_audit::signing
