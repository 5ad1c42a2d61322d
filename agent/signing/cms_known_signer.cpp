#include "cms_known_signer.hpp"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "identity.hpp"
#include "signature_check.hpp"

namespace clinic_audit::signing {
namespace {

// One DER element (X.690 §8.1): identifier octet, definite length, contents.
struct Element {
  unsigned char tag = 0;
  std::string_view whole;     // identifier, length and contents
  std::string_view contents;  // contents only
};

// The element at the start of `der`, or nullopt for what this parser does
// not take: a multi-byte tag, the indefinite length (BER), a length over 4
// octets or beyond the input.
std::optional<Element> next_element(std::string_view der) {
  if (der.size() < 2) return std::nullopt;
  const auto tag = static_cast<unsigned char>(der[0]);
  if ((tag & 0x1F) == 0x1F) return std::nullopt;
  std::size_t offset = 2;
  std::size_t length = static_cast<unsigned char>(der[1]);
  if (length == 0x80) return std::nullopt;
  if (length > 0x80) {
    const std::size_t octets = length & 0x7F;
    if (octets > 4 || der.size() < 2 + octets) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | static_cast<unsigned char>(der[2 + i]);
    offset += octets;
  }
  if (der.size() - offset < length) return std::nullopt;
  return Element{tag, der.substr(0, offset + length), der.substr(offset, length)};
}

void append_header(std::string& out, unsigned char tag, std::size_t length) {
  out += static_cast<char>(tag);
  if (length < 0x80) {
    out += static_cast<char>(length);
    return;
  }
  std::string octets;
  for (std::size_t rest = length; rest != 0; rest >>= 8) octets.insert(octets.begin(), static_cast<char>(rest & 0xFF));
  out += static_cast<char>(0x80 | octets.size());
  out += octets;
}

std::string wrap(unsigned char tag, std::string_view contents) {
  std::string out;
  append_header(out, tag, contents.size());
  out += contents;
  return out;
}

std::time_t epoch_of(const ASN1_TIME* time) {
  return static_cast<std::time_t>(asn1_time_to_epoch(time));  // throws when unparsable
}

}  // namespace

KnownSigner known_signer_of(X509* certificate, STACK_OF(X509) * verified_chain) {
  KnownSigner known;
  known.certificate = certificate;
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  if (length > 0) known.der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  known.subject = subject_text(certificate);
  known.machine_id = subject_serial_number(certificate);
  known.fingerprint = certificate_fingerprint(certificate);
  // Leaf and anchor only; the anchor without auxiliary trust settings
  // (a plain CERTIFICATE in the CA file, as load_ca_store reads it).
  if (verified_chain == nullptr || sk_X509_num(verified_chain) != 2 ||
      X509_cmp(sk_X509_value(verified_chain, 0), certificate) != 0 ||
      X509_trusted(sk_X509_value(verified_chain, 1)) != 0) {
    return known;
  }
  try {
    known.valid_from = 0;
    known.valid_until = std::numeric_limits<std::time_t>::max();
    for (int i = 0; i < 2; ++i) {
      X509* cert = sk_X509_value(verified_chain, i);
      known.valid_from = std::max(known.valid_from, epoch_of(X509_get0_notBefore(cert)));
      known.valid_until = std::min(known.valid_until, epoch_of(X509_get0_notAfter(cert)));
    }
    X509* anchor = sk_X509_value(verified_chain, 1);
    X509_up_ref(anchor);
    known.anchor.reset(anchor);
    known.verified_by_anchor = !known.der.empty();
  } catch (const std::exception&) {
    known.verified_by_anchor = false;
  }
  return known;
}

std::optional<std::string> without_embedded_certificate(std::string_view signature_der,
                                                        std::string_view certificate_der) {
  if (certificate_der.empty()) return std::nullopt;
  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT }
  const auto content_info = next_element(signature_der);
  if (!content_info || content_info->tag != 0x30 || content_info->whole.size() != signature_der.size())
    return std::nullopt;
  const auto type = next_element(content_info->contents);
  if (!type || type->tag != 0x06) return std::nullopt;
  const auto explicit0 = next_element(content_info->contents.substr(type->whole.size()));
  if (!explicit0 || explicit0->tag != 0xA0 ||
      type->whole.size() + explicit0->whole.size() != content_info->contents.size())
    return std::nullopt;
  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
  //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
  const auto signed_data = next_element(explicit0->contents);
  if (!signed_data || signed_data->tag != 0x30 || signed_data->whole.size() != explicit0->contents.size())
    return std::nullopt;
  std::string_view rest = signed_data->contents;
  std::size_t before_certificates = 0;
  for (const int expected : {0x02, 0x31, 0x30}) {
    const auto element = next_element(rest.substr(before_certificates));
    if (!element || element->tag != expected) return std::nullopt;
    before_certificates += element->whole.size();
  }
  const auto certificates = next_element(rest.substr(before_certificates));
  if (!certificates || certificates->tag != 0xA0 || certificates->contents != certificate_der) return std::nullopt;
  std::string stripped(rest.substr(0, before_certificates));
  stripped += rest.substr(before_certificates + certificates->whole.size());
  std::string out(type->whole);
  out += wrap(0xA0, wrap(0x30, stripped));
  return wrap(0x30, out);
}

}  // namespace clinic_audit::signing
