#include "content_hints.hpp"

#include <openssl/objects.h>

#include <cstdint>

namespace clinic_audit::signing {
namespace {

constexpr unsigned char kTagSequence = 0x30;
constexpr unsigned char kTagUtf8String = 0x0C;
// id-data, 1.2.840.113549.1.7.1 (RFC 5652 §4), tag and length included.
constexpr unsigned char kIdData[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01};

// DER definite length (X.690 §8.1.3).
std::string der_length(std::size_t length) {
  std::string out;
  if (length < 0x80) {
    out += static_cast<char>(length);
    return out;
  }
  std::string bytes;
  for (std::size_t n = length; n != 0; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n & 0xFF));
  out += static_cast<char>(0x80 | bytes.size());
  return out + bytes;
}

std::string tlv(unsigned char tag, std::string_view value) {
  std::string out(1, static_cast<char>(tag));
  out += der_length(value.size());
  out += value;
  return out;
}

// Reads one TLV at `pos`; returns false on malformed input.
bool read_tlv(std::string_view der, std::size_t& pos, unsigned char& tag, std::string_view& value) {
  if (pos + 2 > der.size()) return false;
  tag = static_cast<unsigned char>(der[pos++]);
  std::size_t length = static_cast<unsigned char>(der[pos++]);
  if (length & 0x80) {
    const std::size_t count = length & 0x7F;
    if (count == 0 || count > sizeof(std::uint32_t) || pos + count > der.size()) return false;
    length = 0;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | static_cast<unsigned char>(der[pos++]);
  }
  if (length > der.size() - pos) return false;
  value = der.substr(pos, length);
  pos += length;
  return true;
}

}  // namespace

std::string encode_content_hints(std::string_view description) {
  std::string body = tlv(kTagUtf8String, description);
  body.append(reinterpret_cast<const char*>(kIdData), sizeof kIdData);
  return tlv(kTagSequence, body);
}

std::optional<std::string> decode_content_hints(std::string_view der) {
  std::size_t pos = 0;
  unsigned char tag = 0;
  std::string_view sequence;
  if (!read_tlv(der, pos, tag, sequence) || tag != kTagSequence) return std::nullopt;
  pos = 0;
  std::string_view description;
  if (!read_tlv(sequence, pos, tag, description) || tag != kTagUtf8String) return std::nullopt;
  return std::string(description);
}

bool add_content_hints(CMS_SignerInfo* signer, std::string_view description) {
  const std::string der = encode_content_hints(description);
  // For V_ASN1_SEQUENCE, X509_ATTRIBUTE_set1_data(3) stores the bytes as the
  // complete DER encoding of the value.
  return CMS_signed_add1_attr_by_OBJ(signer, OBJ_nid2obj(NID_id_smime_aa_contentHint), V_ASN1_SEQUENCE, der.data(),
                                     static_cast<int>(der.size())) == 1;
}

std::optional<std::string> content_hints_of(CMS_SignerInfo* signer) {
  const int index = CMS_signed_get_attr_by_NID(signer, NID_id_smime_aa_contentHint, -1);
  if (index < 0) return std::nullopt;
  X509_ATTRIBUTE* attribute = CMS_signed_get_attr(signer, index);
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, 0);
  if (value == nullptr || value->type != V_ASN1_SEQUENCE) return std::nullopt;
  const ASN1_STRING* der = value->value.sequence;
  return decode_content_hints(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(der)),
                                               static_cast<std::size_t>(ASN1_STRING_length(der))));
}

}  // namespace clinic_audit::signing
