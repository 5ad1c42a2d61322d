// OpenSSL's error texts in the agent's language (issue #18 item 1): the
// certificate verification results (X509_V_ERR_*, every one) and the error
// queue's reasons that loading keys, certificates, CMS signatures and
// OpenSSL configurations, or a TLS handshake, commonly give. English output
// is exactly OpenSSL's; in French a text OpenSSL words differently from the
// table (another version) or that the table lacks stays in English.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace clinic_audit::i18n {

struct VerifyErrorMessage {
  long code;            // X509_V_ERR_*
  const char* english;  // X509_verify_cert_error_string(code)
};
struct ReasonMessage {
  int library;          // ERR_LIB_*, or -1: a common ERR_R_* reason of any library
  int reason;           // *_R_*
  const char* english;  // ERR_reason_error_string()
};
std::span<const VerifyErrorMessage> verify_error_messages();
std::span<const ReasonMessage> reason_messages();

// X509_verify_cert_error_string(code) in the current language.
std::string verify_error_text(long code);
// ERR_reason_error_string(error) in the current language ("" when OpenSSL
// has no text); an ERR_LIB_SYS error is its errno text (error_text()).
std::string reason_text(unsigned long error);
// ERR_error_string_n(error) with its reason in the current language.
std::string error_string(unsigned long error);

// The text of an error code met during a TLS exchange: Asio's "asio.ssl"
// category (its message() is ERR_reason_error_string(value)) through
// reason_text(), any other through error_text() (system_error_text.hpp).
std::string tls_error_text(std::string_view category_name, int value, const std::string& message);
template <typename Code>
requires requires(const Code& c) {
  c.category().name();
  c.value();
  c.message();
}
std::string tls_error_text(const Code& code) {
  return tls_error_text(code.category().name(), code.value(), code.message());
}

}  // namespace clinic_audit::i18n
