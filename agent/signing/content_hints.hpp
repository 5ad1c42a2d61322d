// The ESS content-hints signed attribute (RFC 2634 §2.9):
//   ContentHints ::= SEQUENCE { contentDescription UTF8String OPTIONAL,
//                               contentType ContentType }
// clinic-audit puts the report's file name in contentDescription. As a
// signed attribute it is covered by the signature, so `verify` can say
// "this is the signature of report X" when a .p7s is paired with the wrong
// file, rather than only "the digest does not match".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/cms.h>

namespace clinic_audit::signing {

// DER of ContentHints{ description, id-data }.
std::string encode_content_hints(std::string_view description);

// The description from the DER, or nullopt if the DER is not ContentHints
// with a UTF8String description.
std::optional<std::string> decode_content_hints(std::string_view der);

// Adds the attribute to a signer info that is not yet finalised (CMS_PARTIAL).
bool add_content_hints(CMS_SignerInfo* signer, std::string_view description);

// The description carried by a signer info, if any.
std::optional<std::string> content_hints_of(CMS_SignerInfo* signer);

}  // namespace clinic_audit::signing
