// Owning pointers for the OpenSSL objects the signing code handles, and the
// text of OpenSSL's error queue for messages.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "common/openssl_ptr.hpp"

namespace clinic_audit::signing {

// The one style of OpenSSL owner (common/openssl_ptr.hpp), and the objects
// only signing handles.
using clinic_audit::BioPtr;
using clinic_audit::OpensslDeleter;
using clinic_audit::PkeyCtxPtr;
using clinic_audit::PkeyPtr;
using clinic_audit::X509Ptr;
using clinic_audit::X509StoreCtxPtr;
using clinic_audit::X509StorePtr;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpensslDeleter<X509_REQ_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpensslDeleter<X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, OpensslDeleter<X509_EXTENSION_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, OpensslDeleter<CMS_ContentInfo_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, OpensslDeleter<ASN1_STRING_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpensslDeleter<ASN1_OBJECT_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpensslDeleter<ASN1_TIME_free>>;

struct CertStackDeleter {
  void operator()(STACK_OF(X509) * stack) const noexcept;
};
using CertStackPtr = std::unique_ptr<STACK_OF(X509), CertStackDeleter>;

// The reason strings of OpenSSL's thread-local error queue ("; "-joined),
// which it then clears. OpenSSL's reasons never quote key bytes.
std::string openssl_errors();

// A read-only memory BIO over `bytes` (no copy; `bytes` must outlive it).
BioPtr memory_bio(const void* data, std::size_t size);

// "2026-11-22 15:04:05 UTC" for an ASN1_TIME, for messages.
std::string asn1_time_text(const ASN1_TIME* time);

// Seconds since the epoch of an ASN1_TIME (throws std::runtime_error if unparsable).
std::int64_t asn1_time_to_epoch(const ASN1_TIME* time);

}  // namespace clinic_audit::signing
