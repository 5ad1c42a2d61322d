#include "x509_build.hpp"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "signing_error.hpp"

namespace clinic_audit::signing {
namespace {

SigningError build_error(const std::string& what) {
  return SigningError(kExitInternal, "cannot build the " + what + ": " + openssl_errors());
}

void add_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                 -1, 0) != 1) {
    throw build_error(std::string("subject field ") + field);
  }
}

X509ExtPtr extension(X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext) throw build_error(std::string("extension ") + OBJ_nid2sn(nid));
  return ext;
}

void free_extensions(STACK_OF(X509_EXTENSION) * stack) { sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free); }

}  // namespace

X509NamePtr agent_subject(const std::string& hostname, const std::string& machine_id) {
  X509NamePtr name(X509_NAME_new());
  add_entry(name.get(), "O", "clinic-audit");
  add_entry(name.get(), "CN", hostname);
  if (!machine_id.empty()) add_entry(name.get(), "serialNumber", machine_id);
  return name;
}

PkeyPtr generate_key(bool rsa, int rsa_bits) {
  PkeyPtr key(rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits))
                  : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throw build_error("key");
  return key;
}

X509Ptr make_self_signed(EVP_PKEY* key, const std::string& hostname, const std::string& machine_id, int days) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  // RFC 5280 §4.1.2.2: positive, unique per issuer, at most 20 octets.
  std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    throw build_error("certificate serial number");
  }
  const X509NamePtr subject = agent_subject(hostname, machine_id);
  X509_set_subject_name(cert.get(), subject.get());
  X509_set_issuer_name(cert.get(), subject.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr);
  X509_set_pubkey(cert.get(), key);

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string san = "DNS:" + hostname;
  // No keyUsage: OpenSSL treats a self-signed certificate as its own issuer
  // only if keyUsage (when present) allows keyCertSign; leaving it out lets
  // the certificate serve as its own trust anchor (`-CAfile agent.crt`).
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"}, std::pair{NID_subject_key_identifier, "hash"},
        std::pair{NID_authority_key_identifier, "keyid:always"}, std::pair{NID_subject_alt_name, san.c_str()}}) {
    X509ExtPtr ext = extension(&ctx, nid, value);
    if (X509_add_ext(cert.get(), ext.get(), -1) != 1) throw build_error("certificate extensions");
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) throw build_error("self-signed certificate");
  return cert;
}

X509ReqPtr make_csr(EVP_PKEY* key, const std::string& hostname, const std::string& machine_id) {
  X509ReqPtr request(X509_REQ_new());
  X509_REQ_set_version(request.get(), X509_REQ_VERSION_1);
  const X509NamePtr subject = agent_subject(hostname, machine_id);
  X509_REQ_set_subject_name(request.get(), subject.get());
  X509_REQ_set_pubkey(request.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, nullptr, nullptr, request.get(), nullptr, 0);
  const std::string san = "DNS:" + hostname;
  std::unique_ptr<STACK_OF(X509_EXTENSION), OpensslDeleter<free_extensions>> extensions(sk_X509_EXTENSION_new_null());
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"}, std::pair{NID_key_usage, "critical,digitalSignature"},
        std::pair{NID_subject_alt_name, san.c_str()}}) {
    sk_X509_EXTENSION_push(extensions.get(), extension(&ctx, nid, value).release());
  }
  if (X509_REQ_add_extensions(request.get(), extensions.get()) != 1) throw build_error("CSR extensions");
  if (X509_REQ_sign(request.get(), key, EVP_sha256()) <= 0) throw build_error("certificate signing request");
  return request;
}

}  // namespace clinic_audit::signing
