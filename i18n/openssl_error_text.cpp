// OpenSSL's error texts in the agent's language (issue #18 item 1). The
// English of every entry is OpenSSL 3.0's own (X509_verify_cert_error_string(3),
// ERR_reason_error_string(3): crypto/x509/x509_txt.c, crypto/*/*_err.c,
// ssl/ssl_err.c), byte for byte; the French comes from po/fr.po (context
// "openssl"). i18n/tests/openssl_error_text_test.cpp fails when OpenSSL
// words an entry differently, when a verification code lacks here, or when
// an entry has no French.
#include "openssl_error_text.hpp"

#include <openssl/asn1err.h>
#include <openssl/bioerr.h>
#include <openssl/cmserr.h>
#include <openssl/conferr.h>
#include <openssl/err.h>
#include <openssl/evperr.h>
#include <openssl/pemerr.h>
#include <openssl/rsaerr.h>
#include <openssl/sslerr.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509err.h>

#include "errno_messages.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::i18n {
namespace {

// Every X509_V_ERR_* of <openssl/x509_vfy.h> (OpenSSL 3.0).
constexpr VerifyErrorMessage kVerifyErrors[] = {
    {X509_V_OK, NC_("openssl", "ok")},
    {X509_V_ERR_UNSPECIFIED, NC_("openssl", "unspecified certificate verification error")},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, NC_("openssl", "unable to get issuer certificate")},
    {X509_V_ERR_UNABLE_TO_GET_CRL, NC_("openssl", "unable to get certificate CRL")},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, NC_("openssl", "unable to decrypt certificate's signature")},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE, NC_("openssl", "unable to decrypt CRL's signature")},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, NC_("openssl", "unable to decode issuer public key")},
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, NC_("openssl", "certificate signature failure")},
    {X509_V_ERR_CRL_SIGNATURE_FAILURE, NC_("openssl", "CRL signature failure")},
    {X509_V_ERR_CERT_NOT_YET_VALID, NC_("openssl", "certificate is not yet valid")},
    {X509_V_ERR_CERT_HAS_EXPIRED, NC_("openssl", "certificate has expired")},
    {X509_V_ERR_CRL_NOT_YET_VALID, NC_("openssl", "CRL is not yet valid")},
    {X509_V_ERR_CRL_HAS_EXPIRED, NC_("openssl", "CRL has expired")},
    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, NC_("openssl", "format error in certificate's notBefore field")},
    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, NC_("openssl", "format error in certificate's notAfter field")},
    {X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, NC_("openssl", "format error in CRL's lastUpdate field")},
    {X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD, NC_("openssl", "format error in CRL's nextUpdate field")},
    {X509_V_ERR_OUT_OF_MEM, NC_("openssl", "out of memory")},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, NC_("openssl", "self-signed certificate")},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, NC_("openssl", "self-signed certificate in certificate chain")},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, NC_("openssl", "unable to get local issuer certificate")},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, NC_("openssl", "unable to verify the first certificate")},
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, NC_("openssl", "certificate chain too long")},
    {X509_V_ERR_CERT_REVOKED, NC_("openssl", "certificate revoked")},
    {X509_V_ERR_NO_ISSUER_PUBLIC_KEY, NC_("openssl", "issuer certificate doesn't have a public key")},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, NC_("openssl", "path length constraint exceeded")},
    {X509_V_ERR_INVALID_PURPOSE, NC_("openssl", "unsuitable certificate purpose")},
    {X509_V_ERR_CERT_UNTRUSTED, NC_("openssl", "certificate not trusted")},
    {X509_V_ERR_CERT_REJECTED, NC_("openssl", "certificate rejected")},
    {X509_V_ERR_SUBJECT_ISSUER_MISMATCH, NC_("openssl", "subject issuer mismatch")},
    {X509_V_ERR_AKID_SKID_MISMATCH, NC_("openssl", "authority and subject key identifier mismatch")},
    {X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH, NC_("openssl", "authority and issuer serial number mismatch")},
    {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, NC_("openssl", "key usage does not include certificate signing")},
    {X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER, NC_("openssl", "unable to get CRL issuer certificate")},
    {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, NC_("openssl", "unhandled critical extension")},
    {X509_V_ERR_KEYUSAGE_NO_CRL_SIGN, NC_("openssl", "key usage does not include CRL signing")},
    {X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION, NC_("openssl", "unhandled critical CRL extension")},
    {X509_V_ERR_INVALID_NON_CA, NC_("openssl", "invalid non-CA certificate (has CA markings)")},
    {X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED, NC_("openssl", "proxy path length constraint exceeded")},
    {X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE, NC_("openssl", "key usage does not include digital signature")},
    {X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED,
     NC_("openssl", "proxy certificates not allowed, please set the appropriate flag")},
    {X509_V_ERR_INVALID_EXTENSION, NC_("openssl", "invalid or inconsistent certificate extension")},
    {X509_V_ERR_INVALID_POLICY_EXTENSION, NC_("openssl", "invalid or inconsistent certificate policy extension")},
    {X509_V_ERR_NO_EXPLICIT_POLICY, NC_("openssl", "no explicit policy")},
    {X509_V_ERR_DIFFERENT_CRL_SCOPE, NC_("openssl", "different CRL scope")},
    {X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE, NC_("openssl", "unsupported extension feature")},
    {X509_V_ERR_UNNESTED_RESOURCE, NC_("openssl", "RFC 3779 resource not subset of parent's resources")},
    {X509_V_ERR_PERMITTED_VIOLATION, NC_("openssl", "permitted subtree violation")},
    {X509_V_ERR_EXCLUDED_VIOLATION, NC_("openssl", "excluded subtree violation")},
    {X509_V_ERR_SUBTREE_MINMAX, NC_("openssl", "name constraints minimum and maximum not supported")},
    {X509_V_ERR_APPLICATION_VERIFICATION, NC_("openssl", "application verification failure")},
    {X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE, NC_("openssl", "unsupported name constraint type")},
    {X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX, NC_("openssl", "unsupported or invalid name constraint syntax")},
    {X509_V_ERR_UNSUPPORTED_NAME_SYNTAX, NC_("openssl", "unsupported or invalid name syntax")},
    {X509_V_ERR_CRL_PATH_VALIDATION_ERROR, NC_("openssl", "CRL path validation error")},
    {X509_V_ERR_PATH_LOOP, NC_("openssl", "path loop")},
    {X509_V_ERR_SUITE_B_INVALID_VERSION, NC_("openssl", "Suite B: certificate version invalid")},
    {X509_V_ERR_SUITE_B_INVALID_ALGORITHM, NC_("openssl", "Suite B: invalid public key algorithm")},
    {X509_V_ERR_SUITE_B_INVALID_CURVE, NC_("openssl", "Suite B: invalid ECC curve")},
    {X509_V_ERR_SUITE_B_INVALID_SIGNATURE_ALGORITHM, NC_("openssl", "Suite B: invalid signature algorithm")},
    {X509_V_ERR_SUITE_B_LOS_NOT_ALLOWED, NC_("openssl", "Suite B: curve not allowed for this LOS")},
    {X509_V_ERR_SUITE_B_CANNOT_SIGN_P_384_WITH_P_256, NC_("openssl", "Suite B: cannot sign P-384 with P-256")},
    {X509_V_ERR_HOSTNAME_MISMATCH, NC_("openssl", "hostname mismatch")},
    {X509_V_ERR_EMAIL_MISMATCH, NC_("openssl", "email address mismatch")},
    {X509_V_ERR_IP_ADDRESS_MISMATCH, NC_("openssl", "IP address mismatch")},
    {X509_V_ERR_DANE_NO_MATCH, NC_("openssl", "no matching DANE TLSA records")},
    {X509_V_ERR_EE_KEY_TOO_SMALL, NC_("openssl", "EE certificate key too weak")},
    {X509_V_ERR_CA_KEY_TOO_SMALL, NC_("openssl", "CA certificate key too weak")},
    {X509_V_ERR_CA_MD_TOO_WEAK, NC_("openssl", "CA signature digest algorithm too weak")},
    {X509_V_ERR_INVALID_CALL, NC_("openssl", "invalid certificate verification context")},
    {X509_V_ERR_STORE_LOOKUP, NC_("openssl", "issuer certificate lookup error")},
    {X509_V_ERR_NO_VALID_SCTS, NC_("openssl", "Certificate Transparency required, but no valid SCTs found")},
    {X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION, NC_("openssl", "proxy subject name violation")},
    {X509_V_ERR_OCSP_VERIFY_NEEDED, NC_("openssl", "OCSP verification needed")},
    {X509_V_ERR_OCSP_VERIFY_FAILED, NC_("openssl", "OCSP verification failed")},
    {X509_V_ERR_OCSP_CERT_UNKNOWN, NC_("openssl", "OCSP unknown cert")},
    {X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM, NC_("openssl", "Cannot find certificate signature algorithm")},
    {X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH,
     NC_("openssl", "subject signature algorithm and issuer public key algorithm mismatch")},
    {X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY,
     NC_("openssl", "cert info signature and signature algorithm mismatch")},
    {X509_V_ERR_INVALID_CA, NC_("openssl", "invalid CA certificate")},
    {X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA, NC_("openssl", "Path length invalid for non-CA cert")},
    {X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN, NC_("openssl", "Path length given without key usage keyCertSign")},
    {X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA, NC_("openssl", "Key usage keyCertSign invalid for non-CA cert")},
    {X509_V_ERR_ISSUER_NAME_EMPTY, NC_("openssl", "Issuer name empty")},
    {X509_V_ERR_SUBJECT_NAME_EMPTY, NC_("openssl", "Subject name empty")},
    {X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER, NC_("openssl", "Missing Authority Key Identifier")},
    {X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER, NC_("openssl", "Missing Subject Key Identifier")},
    {X509_V_ERR_EMPTY_SUBJECT_ALT_NAME, NC_("openssl", "Empty Subject Alternative Name extension")},
    {X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL,
     NC_("openssl", "Subject empty and Subject Alt Name extension not critical")},
    {X509_V_ERR_CA_BCONS_NOT_CRITICAL, NC_("openssl", "Basic Constraints of CA cert not marked critical")},
    {X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL, NC_("openssl", "Authority Key Identifier marked critical")},
    {X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL, NC_("openssl", "Subject Key Identifier marked critical")},
    {X509_V_ERR_CA_CERT_MISSING_KEY_USAGE, NC_("openssl", "CA cert does not include key usage extension")},
    {X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3, NC_("openssl", "Using cert extension requires at least X509v3")},
    {X509_V_ERR_EC_KEY_EXPLICIT_PARAMS, NC_("openssl", "Certificate public key has explicit ECC parameters")},
};

// ERR_R_* reasons are shared by every library (<openssl/err.h>).
constexpr int kAnyLibrary = -1;

// The reasons that loading a key, a certificate, a CMS signature or an
// OpenSSL configuration, or a TLS handshake, commonly gives.
constexpr ReasonMessage kReasons[] = {
    {ERR_LIB_PEM, PEM_R_NO_START_LINE, NC_("openssl", "no start line")},
    {ERR_LIB_PEM, PEM_R_BAD_END_LINE, NC_("openssl", "bad end line")},
    {ERR_LIB_PEM, PEM_R_BAD_BASE64_DECODE, NC_("openssl", "bad base64 decode")},
    {ERR_LIB_PEM, PEM_R_BAD_DECRYPT, NC_("openssl", "bad decrypt")},
    {ERR_LIB_PEM, PEM_R_BAD_PASSWORD_READ, NC_("openssl", "bad password read")},
    {ERR_LIB_PEM, PEM_R_PROBLEMS_GETTING_PASSWORD, NC_("openssl", "problems getting password")},
    {ERR_LIB_PEM, PEM_R_SHORT_HEADER, NC_("openssl", "short header")},
    {ERR_LIB_PEM, PEM_R_UNSUPPORTED_ENCRYPTION, NC_("openssl", "unsupported encryption")},
    {ERR_LIB_PEM, PEM_R_BAD_IV_CHARS, NC_("openssl", "bad iv chars")},
    {ERR_LIB_ASN1, ASN1_R_WRONG_TAG, NC_("openssl", "wrong tag")},
    {ERR_LIB_ASN1, ASN1_R_HEADER_TOO_LONG, NC_("openssl", "header too long")},
    {ERR_LIB_ASN1, ASN1_R_NOT_ENOUGH_DATA, NC_("openssl", "not enough data")},
    {ERR_LIB_ASN1, ASN1_R_TOO_LONG, NC_("openssl", "too long")},
    {ERR_LIB_ASN1, ASN1_R_BAD_OBJECT_HEADER, NC_("openssl", "bad object header")},
    {ERR_LIB_ASN1, ASN1_R_NESTED_ASN1_STRING, NC_("openssl", "nested asn1 string")},
    {ERR_LIB_ASN1, ASN1_R_ILLEGAL_PADDING, NC_("openssl", "illegal padding")},
    {ERR_LIB_ASN1, ASN1_R_WRONG_PUBLIC_KEY_TYPE, NC_("openssl", "wrong public key type")},
    {ERR_LIB_ASN1, ASN1_R_DECODE_ERROR, NC_("openssl", "decode error")},
    {ERR_LIB_ASN1, ASN1_R_UNKNOWN_PUBLIC_KEY_TYPE, NC_("openssl", "unknown public key type")},
    {ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH, NC_("openssl", "key values mismatch")},
    {ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE, NC_("openssl", "cert already in hash table")},
    {ERR_LIB_X509, X509_R_UNABLE_TO_GET_CERTS_PUBLIC_KEY, NC_("openssl", "unable to get certs public key")},
    {ERR_LIB_X509, X509_R_NO_CERTIFICATE_FOUND, NC_("openssl", "no certificate found")},
    {ERR_LIB_X509, X509_R_NO_CERTIFICATE_OR_CRL_FOUND, NC_("openssl", "no certificate or crl found")},
    {ERR_LIB_X509, X509_R_CERTIFICATE_VERIFICATION_FAILED, NC_("openssl", "certificate verification failed")},
    {ERR_LIB_X509, X509_R_UNKNOWN_KEY_TYPE, NC_("openssl", "unknown key type")},
    {ERR_LIB_X509, X509_R_KEY_TYPE_MISMATCH, NC_("openssl", "key type mismatch")},
    {ERR_LIB_CMS, CMS_R_NO_SIGNERS, NC_("openssl", "no signers")},
    {ERR_LIB_CMS, CMS_R_VERIFICATION_FAILURE, NC_("openssl", "verification failure")},
    {ERR_LIB_CMS, CMS_R_CONTENT_VERIFY_ERROR, NC_("openssl", "content verify error")},
    {ERR_LIB_CMS, CMS_R_CERTIFICATE_VERIFY_ERROR, NC_("openssl", "certificate verify error")},
    {ERR_LIB_CMS, CMS_R_SIGNER_CERTIFICATE_NOT_FOUND, NC_("openssl", "signer certificate not found")},
    {ERR_LIB_CMS, CMS_R_NO_CONTENT, NC_("openssl", "no content")},
    {ERR_LIB_CMS, CMS_R_CONTENT_TYPE_NOT_SIGNED_DATA, NC_("openssl", "content type not signed data")},
    {ERR_LIB_CMS, CMS_R_NO_MATCHING_DIGEST, NC_("openssl", "no matching digest")},
    {ERR_LIB_CMS, CMS_R_MESSAGEDIGEST_WRONG_LENGTH, NC_("openssl", "messagedigest wrong length")},
    {ERR_LIB_CMS, CMS_R_MESSAGEDIGEST_ATTRIBUTE_WRONG_LENGTH, NC_("openssl", "messagedigest attribute wrong length")},
    {ERR_LIB_CMS, CMS_R_NO_CONTENT_TYPE, NC_("openssl", "no content type")},
    {ERR_LIB_CMS, CMS_R_SMIME_TEXT_ERROR, NC_("openssl", "smime text error")},
    {ERR_LIB_CMS, CMS_R_UNKNOWN_DIGEST_ALGORITHM, NC_("openssl", "unknown digest algorithm")},
    {ERR_LIB_CMS, CMS_R_NOT_A_SIGNED_RECEIPT, NC_("openssl", "not a signed receipt")},
    {ERR_LIB_CMS, CMS_R_CONTENT_NOT_FOUND, NC_("openssl", "content not found")},
    {ERR_LIB_EVP, EVP_R_BAD_DECRYPT, NC_("openssl", "bad decrypt")},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM, NC_("openssl", "unsupported algorithm")},
    {ERR_LIB_EVP, EVP_R_DIFFERENT_KEY_TYPES, NC_("openssl", "different key types")},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_PRIVATE_KEY_ALGORITHM, NC_("openssl", "unsupported private key algorithm")},
    {ERR_LIB_EVP, EVP_R_DECODE_ERROR, NC_("openssl", "decode error")},
    {kAnyLibrary, ERR_R_UNSUPPORTED, NC_("openssl", "unsupported")},
    {ERR_LIB_RSA, RSA_R_KEY_SIZE_TOO_SMALL, NC_("openssl", "key size too small")},
    {ERR_LIB_BIO, BIO_R_NO_SUCH_FILE, NC_("openssl", "no such file")},
    {kAnyLibrary, ERR_R_MALLOC_FAILURE, NC_("openssl", "malloc failure")},
    {kAnyLibrary, ERR_R_NESTED_ASN1_ERROR, NC_("openssl", "nested asn1 error")},
    {kAnyLibrary, ERR_R_PEM_LIB, NC_("openssl", "PEM lib")},
    {kAnyLibrary, ERR_R_ASN1_LIB, NC_("openssl", "ASN1 lib")},
    {kAnyLibrary, ERR_R_PASSED_NULL_PARAMETER, NC_("openssl", "passed a null parameter")},
    {kAnyLibrary, ERR_R_X509_LIB, NC_("openssl", "X509 lib")},
    {kAnyLibrary, ERR_R_EVP_LIB, NC_("openssl", "EVP lib")},
    {kAnyLibrary, ERR_R_INTERNAL_ERROR, NC_("openssl", "internal error")},
    {ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED, NC_("openssl", "certificate verify failed")},
    {ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER, NC_("openssl", "wrong version number")},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_UNKNOWN_CA, NC_("openssl", "tlsv1 alert unknown ca")},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, NC_("openssl", "sslv3 alert handshake failure")},
    {ERR_LIB_SSL, SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, NC_("openssl", "tlsv13 alert certificate required")},
    {ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER, NC_("openssl", "no shared cipher")},
    {ERR_LIB_SSL, SSL_R_UNSUPPORTED_PROTOCOL, NC_("openssl", "unsupported protocol")},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, NC_("openssl", "tlsv1 alert protocol version")},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, NC_("openssl", "sslv3 alert bad certificate")},
    {ERR_LIB_SSL, SSL_R_UNEXPECTED_EOF_WHILE_READING, NC_("openssl", "unexpected eof while reading")},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, NC_("openssl", "sslv3 alert certificate expired")},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, NC_("openssl", "sslv3 alert certificate unknown")},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_DECRYPT_ERROR, NC_("openssl", "tlsv1 alert decrypt error")},
    {ERR_LIB_SSL, SSL_R_PACKET_LENGTH_TOO_LONG, NC_("openssl", "packet length too long")},
    {ERR_LIB_SSL, SSL_R_HTTP_REQUEST, NC_("openssl", "http request")},
    {ERR_LIB_SSL, SSL_R_TLSV1_UNRECOGNIZED_NAME, NC_("openssl", "tlsv1 unrecognized name")},
    {ERR_LIB_SSL, SSL_R_CA_MD_TOO_WEAK, NC_("openssl", "ca md too weak")},
    {ERR_LIB_SSL, SSL_R_EE_KEY_TOO_SMALL, NC_("openssl", "ee key too small")},
    {ERR_LIB_SSL, SSL_R_CA_KEY_TOO_SMALL, NC_("openssl", "ca key too small")},
    {ERR_LIB_SSL, SSL_R_NO_PROTOCOLS_AVAILABLE, NC_("openssl", "no protocols available")},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED, NC_("openssl", "sslv3 alert certificate revoked")},
    {ERR_LIB_SSL, SSL_R_NO_CERTIFICATE_ASSIGNED, NC_("openssl", "no certificate assigned")},
    {ERR_LIB_SSL, SSL_R_PRIVATE_KEY_MISMATCH, NC_("openssl", "private key mismatch")},
    {ERR_LIB_CONF, CONF_R_MISSING_EQUAL_SIGN, NC_("openssl", "missing equal sign")},
    {ERR_LIB_CONF, CONF_R_NO_CLOSE_BRACE, NC_("openssl", "no close brace")},
    {ERR_LIB_CONF, CONF_R_VARIABLE_HAS_NO_VALUE, NC_("openssl", "variable has no value")},
    {ERR_LIB_CONF, CONF_R_NO_SUCH_FILE, NC_("openssl", "no such file")},
    {ERR_LIB_CONF, CONF_R_MODULE_INITIALIZATION_ERROR, NC_("openssl", "module initialization error")},
    {ERR_LIB_CONF, CONF_R_UNKNOWN_MODULE_NAME, NC_("openssl", "unknown module name")},
    {ERR_LIB_CONF, CONF_R_RECURSIVE_DIRECTORY_INCLUDE, NC_("openssl", "recursive directory include")},
    {ERR_LIB_CONF, CONF_R_NO_SECTION, NC_("openssl", "no section")},
    {ERR_LIB_CONF, CONF_R_VARIABLE_EXPANSION_TOO_LONG, NC_("openssl", "variable expansion too long")},
    {ERR_LIB_SSL, SSL_R_UNKNOWN_CMD_NAME, NC_("openssl", "unknown cmd name")},
    {ERR_LIB_SSL, SSL_R_BAD_VALUE, NC_("openssl", "bad value")},
    {ERR_LIB_SSL, SSL_R_INVALID_COMMAND, NC_("openssl", "invalid command")},
    {ERR_LIB_SSL, SSL_R_NO_CIPHER_MATCH, NC_("openssl", "no cipher match")},
    {ERR_LIB_SSL, SSL_R_UNKNOWN_COMMAND, NC_("openssl", "unknown command")},
};

}  // namespace

std::span<const VerifyErrorMessage> verify_error_messages() { return kVerifyErrors; }
std::span<const ReasonMessage> reason_messages() { return kReasons; }

std::string verify_error_text(long code) {
  const char* english = X509_verify_cert_error_string(code);
  if (language() == Language::en || english == nullptr) return english != nullptr ? english : "";
  for (const auto& known : kVerifyErrors) {
    // Only when OpenSSL still words it as this table does (another OpenSSL
    // version may reword or renumber): else its English.
    if (known.code == code && std::string_view(english) == known.english) {
      return translate_in_context("openssl", known.english);
    }
  }
  return english;
}

std::string reason_text(unsigned long error) {
  if (ERR_SYSTEM_ERROR(error)) {
    // ERR_LIB_SYS: the reason is an errno value (OpenSSL prints strerror(3)).
    const char* english = ERR_reason_error_string(error);
    if (language() == Language::en) return english != nullptr ? english : "";
    return error_text(static_cast<int>(ERR_GET_REASON(error)));
  }
  const char* english = ERR_reason_error_string(error);
  if (english == nullptr) return {};
  if (language() == Language::en) return english;
  const int library = ERR_GET_LIB(error);
  const int reason = ERR_GET_REASON(error);
  for (const auto& known : kReasons) {
    if ((known.library == library || known.library == kAnyLibrary) && known.reason == reason &&
        std::string_view(english) == known.english) {
      return translate_in_context("openssl", known.english);
    }
  }
  return english;
}

std::string error_string(unsigned long error) {
  char buffer[256];
  ERR_error_string_n(error, buffer, sizeof buffer);
  const std::string english = buffer;
  if (language() == Language::en) return english;
  // "error:HEX:LIBRARY:FUNCTION:REASON" (ERR_error_string_n(3)): the code
  // and the library stay as OpenSSL prints them, the reason is translated.
  const char* reason = ERR_reason_error_string(error);
  if (reason == nullptr || !english.ends_with(reason)) return english;
  return english.substr(0, english.size() - std::string_view(reason).size()) + reason_text(error);
}

std::string tls_error_text(std::string_view category_name, int value, const std::string& message) {
  if (category_name != "asio.ssl") return error_text(category_name, value, message);
  if (language() == Language::en || value <= 0) return message;
  const unsigned long error = static_cast<unsigned long>(value);
  const char* english = ERR_reason_error_string(error);
  if (english == nullptr || message != english) return message;
  return reason_text(error);
}

}  // namespace clinic_audit::i18n
