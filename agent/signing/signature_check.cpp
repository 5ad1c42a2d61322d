#include "signature_check.hpp"
#include "i18n.hpp"

#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>

#include <array>

#include "content_hints.hpp"
#include "identity.hpp"
#include "signing_error.hpp"
#include "openssl_error_text.hpp"

namespace clinic_audit::signing {
namespace {

void sk_X509_free_shallow(STACK_OF(X509) * stack) { sk_X509_free(stack); }

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

std::string time_text(std::int64_t seconds) {
  Asn1TimePtr time(ASN1_TIME_set(nullptr, static_cast<time_t>(seconds)));
  return asn1_time_text(time.get());
}

std::optional<std::int64_t> signing_time_of(CMS_SignerInfo* signer) {
  const int index = CMS_signed_get_attr_by_NID(signer, NID_pkcs9_signingTime, -1);
  if (index < 0) return std::nullopt;
  const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(signer, index), 0);
  if (value == nullptr || (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME)) return std::nullopt;
  try {
    // RFC 5652 §11.3: UTCTime or GeneralizedTime, both ASN1_TIME.
    return asn1_time_to_epoch(value->value.utctime);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The messageDigest signed attribute (RFC 5652 §11.2), hex.
std::optional<std::string> message_digest_of(CMS_SignerInfo* signer) {
  const auto* digest = static_cast<const ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(signer, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (digest == nullptr) return std::nullopt;
  return hex(ASN1_STRING_get0_data(digest), static_cast<std::size_t>(ASN1_STRING_length(digest)));
}

std::string content_digest(CMS_SignerInfo* signer, std::string_view content, std::string_view known_sha256) {
  X509_ALGOR* algorithm = nullptr;
  CMS_SignerInfo_get0_algs(signer, nullptr, nullptr, &algorithm, nullptr);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
  const EVP_MD* md = oid != nullptr ? EVP_get_digestbyobj(oid) : nullptr;
  if (md == nullptr) return {};
  if (!known_sha256.empty() && EVP_MD_get_type(md) == NID_sha256) return std::string(known_sha256);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(content.data(), content.size(), digest.data(), &length, md, nullptr);
  return hex(digest.data(), length);
}

// RFC 5035 signingCertificateV2, when present, must name the signer's
// certificate (it is what binds the certificate to the signature).
bool signing_certificate_matches(CMS_SignerInfo* signer, X509* cert) {
  const int index = CMS_signed_get_attr_by_NID(signer, NID_id_smime_aa_signingCertificateV2, -1);
  if (index < 0) return true;
  const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(signer, index), 0);
  if (value == nullptr || value->type != V_ASN1_SEQUENCE) return false;
  const unsigned char* der = ASN1_STRING_get0_data(value->value.sequence);
  std::unique_ptr<ESS_SIGNING_CERT_V2, OpensslDeleter<ESS_SIGNING_CERT_V2_free>> ess(
      d2i_ESS_SIGNING_CERT_V2(nullptr, &der, ASN1_STRING_length(value->value.sequence)));
  std::unique_ptr<STACK_OF(X509), OpensslDeleter<sk_X509_free_shallow>> chain(sk_X509_new_null());
  sk_X509_push(chain.get(), cert);
  const bool ok = ess && OSSL_ESS_check_signing_certs(nullptr, ess.get(), chain.get(), 1) == 1;
  ERR_clear_error();
  return ok;
}

std::string name_of(const SignatureInput& input) { return input.report.filename().string(); }

// Says why the content does not match the messageDigest: the .p7s belongs to
// another report, or this report's bytes changed.
std::string digest_mismatch(const SignatureInput& input, const std::string& signed_digest, const std::string& actual,
                            const std::optional<std::string>& signed_name) {
  const std::string name = name_of(input);
  if (input.other_sha256 != nullptr) {
    for (const auto& [other, digest] : *input.other_sha256) {
      if (other != name && digest == signed_digest) {
        return tr("signature of another report: {0}.p7s signs {1}, not {0}", name, other);
      }
    }
  }
  if (input.check_name && signed_name && *signed_name != name) {
    return tr("signature of another report: {0}.p7s was made for {1}, not for {0}", name, *signed_name);
  }
  return tr("report altered after signing: its SHA-256 is {0} but the signature covers {1} (at least one byte changed)",
            actual, signed_digest);
}

void check_certificate_chain(CMS_ContentInfo* cms, X509* signer_cert, X509_STORE* store, ExpiryAt expiry_at,
                             std::time_t now, SignatureFindings& findings);

void check_certificate(CMS_ContentInfo* cms, X509* signer_cert, X509_STORE* store, ExpiryAt expiry_at, std::time_t now,
                       SignatureFindings& findings) {
  const std::size_t before = findings.problems.size();
  check_certificate_chain(cms, signer_cert, store, expiry_at, now, findings);
  if (findings.problems.size() != before) findings.certificate_problem = true;
}

void check_certificate_chain(CMS_ContentInfo* cms, X509* signer_cert, X509_STORE* store, ExpiryAt expiry_at,
                             std::time_t now, SignatureFindings& findings) {
  CertStackPtr untrusted(CMS_get1_certs(cms));
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, signer_cert, untrusted.get()) != 1) {
    findings.problems.push_back(tr("cannot set up certificate verification: {0}", openssl_errors()));
    return;
  }
  // `-purpose any`, as the stock OpenSSL command of DESIGN §6.
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_ANY);
  const bool at_signing = expiry_at == ExpiryAt::signing_time && findings.signing_time;
  const std::time_t check_time = at_signing ? static_cast<std::time_t>(*findings.signing_time) : now;
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), check_time);
  if (X509_verify_cert(ctx.get()) == 1) {
    if (at_signing && X509_cmp_time(X509_get0_notAfter(signer_cert), &now) < 0) {
      findings.notes.push_back(tr("certificate expired since, on {0}; it was valid when the report was signed",
                                  asn1_time_text(X509_get0_notAfter(signer_cert))));
    }
    return;
  }
  const int error = X509_STORE_CTX_get_error(ctx.get());
  X509* failing = X509_STORE_CTX_get_current_cert(ctx.get());
  if (failing == nullptr) failing = signer_cert;
  const std::string who = tr("certificate \"{0}\"", subject_text(failing));
  const std::string when = at_signing ? tr("before the report was signed ({0})", time_text(*findings.signing_time))
                                      : tr("before now ({0})", time_text(now));
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      findings.problems.push_back(
          tr("expired certificate: {0} expired on {1}, {2}", who, asn1_time_text(X509_get0_notAfter(failing)), when));
      break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      findings.problems.push_back(tr("certificate not yet valid: {0} is valid only from {1}, {2}", who,
                                     asn1_time_text(X509_get0_notBefore(failing)),
                                     at_signing
                                         ? tr("after the report was signed ({0})", time_text(*findings.signing_time))
                                         : tr("after now ({0})", time_text(now))));
      break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      findings.problems.push_back(tr("wrong CA: the signing certificate \"{0}\" (issued by \"{1}\") does not chain to "
                                     "the given CA ({2})",
                                     subject_text(signer_cert), issuer_text(failing), i18n::verify_error_text(error)));
      break;
    default:
      findings.problems.push_back(
          tr("certificate chain does not verify: {0}: {1}", who, i18n::verify_error_text(error)));
  }
}

// Whether X509_verify_cert would certainly succeed for `signer_cert`
// because the caller already verified its chain (the collector: in the TLS
// handshake, against a store read from the same CA file). Only when the
// very same certificate is the signer, its verified chain was that
// certificate issued directly by a trust anchor without auxiliary trust
// settings, that anchor is in `store`, and the check time lies inside every validity period of that
// chain: the handshake's verification was then stricter in all else
// (purpose sslclient and the TLS security level against `-purpose any` and
// none here; no CRL on either side), so it holds now too. A collector
// certificate read from the signature (signer_cert) is the known one only
// when without_embedded_certificate() matched it byte for byte.
bool store_holds(X509_STORE* store, X509* cert) {
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    X509* candidate = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));
    if (candidate != nullptr && X509_cmp(candidate, cert) == 0) return true;
  }
  return false;
}

bool chain_already_verified(const KnownSigner& known, X509* signer_cert, X509_STORE* store, ExpiryAt expiry_at,
                            std::time_t now) {
  return known.verified_by_anchor && signer_cert == known.certificate && expiry_at == ExpiryAt::now &&
         now >= known.valid_from && now < known.valid_until && known.anchor && store_holds(store, known.anchor.get());
}

}  // namespace

std::string subject_serial_number(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  std::string text(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return text;
}

std::string certificate_fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest.data(), &length) != 1) return {};
  return hex(digest.data(), length);
}

X509StorePtr load_ca_store(const std::filesystem::path& ca_file) {
  X509StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    ERR_clear_error();
    throw SigningError(kExitRefused, tr("cannot read CA certificates from {0} (PEM expected)", ca_file.string()));
  }
  return store;
}

SignatureFindings check_signature(const SignatureInput& input, X509_STORE* store, ExpiryAt expiry_at, std::time_t now) {
  SignatureFindings findings;
  const std::string name = name_of(input);
  // When the signature embeds exactly the caller's known certificate, it is
  // decoded without it and the certificate put back already decoded: the
  // same CMS structure (CmsKnownSigner.StrippedAndPutBackIsTheSameSignatureByteForByte),
  // without OpenSSL decoding the certificate and its public key again.
  const std::optional<std::string> stripped =
      input.known_signer != nullptr ? without_embedded_certificate(input.signature_der, input.known_signer->der)
                                    : std::nullopt;
  const std::string_view signature_der = stripped ? std::string_view(*stripped) : input.signature_der;
  BioPtr der = memory_bio(signature_der.data(), signature_der.size());
  CmsPtr cms(d2i_CMS_bio(der.get(), nullptr));
  if (cms && stripped && CMS_add1_cert(cms.get(), input.known_signer->certificate) != 1) cms.reset();
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    ERR_clear_error();
    findings.problems.push_back(tr("{0}.p7s is not a DER CMS SignedData (RFC 5652) signature", name));
    return findings;
  }
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(signers) != 1) {
    findings.problems.push_back(
        tr("{0}.p7s has {1} signers; clinic-audit signatures have exactly one", name, sk_CMS_SignerInfo_num(signers)));
    return findings;
  }
  CMS_SignerInfo* signer = sk_CMS_SignerInfo_value(signers, 0);
  if (CMS_is_detached(cms.get()) != 1) findings.problems.push_back(tr("{0}.p7s is not a detached signature", name));
  findings.signing_time = signing_time_of(signer);
  if (!findings.signing_time) findings.problems.push_back(tr("{0}.p7s has no signing time (RFC 5652 §11.3)", name));

  const auto signed_digest = message_digest_of(signer);
  const std::string actual = content_digest(signer, input.content, input.content_sha256);
  const auto signed_name = content_hints_of(signer);
  if (!signed_digest) {
    findings.problems.push_back(tr("{0}.p7s has no message digest attribute (RFC 5652 §11.2)", name));
    return findings;
  }
  if (*signed_digest != actual) {
    findings.problems.push_back(digest_mismatch(input, *signed_digest, actual, signed_name));
    return findings;
  }
  if (input.check_name && signed_name && *signed_name != name) {
    findings.problems.push_back(tr("renamed report: {0} was signed as {1}", name, *signed_name));
  }

  // The digest matches: now the signature value over the signed attributes,
  // with the embedded certificate (its chain is checked below, on our terms).
  // The content's digest was just compared with the signed messageDigest
  // (with the signer's digest algorithm, and the signed attributes are
  // present): CMS_verify's own comparison (CMS_SignerInfo_verify_content,
  // RFC 5652 §5.4) would find the same, so it is skipped
  // (CMS_NO_CONTENT_VERIFY) and CMS_verify reads no content instead of
  // hashing the report's bytes a second time (a twentieth of the
  // collector's CPU per report, perf). The signature value over the signed
  // attributes (CMS_SignerInfo_verify) is checked as before.
  // SignatureValue.* compare damaged signatures with `openssl cms -verify`.
  BioPtr content = memory_bio("", 0);
  // (CMS_CADES is not passed: in CMS_verify it forces a chain check against
  // a store; the ESS binding is checked below instead.)
  if (CMS_verify(cms.get(), nullptr, nullptr, content.get(), nullptr,
                 CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY | CMS_NO_CONTENT_VERIFY) != 1) {
    findings.problems.push_back(tr("signature value of {0}.p7s does not verify with its embedded certificate "
                                   "(forged signature or altered signed attributes): {1}",
                                   name, openssl_errors()));
    return findings;
  }
  STACK_OF(X509)* signer_certs = CMS_get0_signers(cms.get());
  X509* signer_cert =
      signer_certs != nullptr && sk_X509_num(signer_certs) == 1 ? sk_X509_value(signer_certs, 0) : nullptr;
  if (signer_cert == nullptr) {
    sk_X509_free(signer_certs);
    findings.problems.push_back(tr("{0}.p7s does not embed its signer's certificate", name));
    return findings;
  }
  if (stripped && signer_cert == input.known_signer->certificate) {
    // The caller's certificate itself (put back above): its texts were
    // worked out once (known_signer_of), the same functions on the same
    // certificate (CmsKnownSigner.CheckSignatureFindsTheSameWithAndWithoutIt).
    findings.signer = input.known_signer->subject;
    findings.signer_machine_id = input.known_signer->machine_id;
    findings.signer_fingerprint = input.known_signer->fingerprint;
  } else {
    findings.signer = subject_text(signer_cert);
    findings.signer_machine_id = subject_serial_number(signer_cert);
    findings.signer_fingerprint = certificate_fingerprint(signer_cert);
  }
  X509_up_ref(signer_cert);
  findings.signer_certificate.reset(signer_cert);
  if (!signing_certificate_matches(signer, signer_cert)) {
    findings.problems.push_back(tr("certificate substituted: the signed signingCertificateV2 attribute (RFC 5035) "
                                   "of {0}.p7s names another certificate than the embedded one",
                                   name));
  }
  if (store != nullptr &&
      !(stripped && chain_already_verified(*input.known_signer, signer_cert, store, expiry_at, now))) {
    check_certificate(cms.get(), signer_cert, store, expiry_at, now, findings);
  }
  sk_X509_free(signer_certs);
  if (findings.signing_time && *findings.signing_time > static_cast<std::int64_t>(now) + 300) {
    findings.problems.push_back(tr("signing time {0} is in the future", time_text(*findings.signing_time)));
  }
  return findings;
}

}  // namespace clinic_audit::signing
