#include "openssl_ptr.hpp"
#include "openssl_error_text.hpp"

#include <openssl/err.h>

#include <ctime>
#include <limits>
#include <stdexcept>

namespace clinic_audit::signing {

void CertStackDeleter::operator()(STACK_OF(X509) * stack) const noexcept { sk_X509_pop_free(stack, X509_free); }

std::string openssl_errors() {
  std::string text;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    if (!text.empty()) text += "; ";
    text += i18n::error_string(code);
  }
  return text.empty() ? std::string("no OpenSSL detail") : text;
}

BioPtr memory_bio(const void* data, std::size_t size) {
  if (size > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::length_error("buffer too large for a memory BIO");
  }
  return BioPtr(BIO_new_mem_buf(data, static_cast<int>(size)));
}

std::string asn1_time_text(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return "(unreadable time)";
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

std::int64_t asn1_time_to_epoch(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    throw std::runtime_error("unreadable ASN.1 time");
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace clinic_audit::signing
