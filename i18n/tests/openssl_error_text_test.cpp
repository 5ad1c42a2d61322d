// Issue #18 item 1: OpenSSL's error texts in French. Every certificate
// verification code OpenSSL defines has its French; each table entry is
// worded as this OpenSSL words it; English stays OpenSSL's byte for byte; a
// reason the table lacks stays English in French output.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>

#include "i18n.hpp"
#include "openssl_error_text.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::i18n {
namespace {

class French {
 public:
  French() {
    ::setenv("CLINIC_AUDIT_LOCALEDIR", CA_TEST_BUILD_DIR "/locale", 1);
    EXPECT_EQ(set_language(Language::fr), std::nullopt);
  }
  ~French() { set_language(Language::en); }
  French(const French&) = delete;
  French& operator=(const French&) = delete;
};

// OpenSSL's "unknown certificate verification error": codes it does not define.
std::string unknown_verify_text() { return X509_verify_cert_error_string(100000); }

TEST(OpenSslErrorText, EveryVerifyCodeOpenSslDefinesIsInTheTable) {
  std::set<long> ours;
  for (const auto& m : verify_error_messages()) {
    EXPECT_STREQ(m.english, X509_verify_cert_error_string(m.code)) << m.code;
    ours.insert(m.code);
  }
  // x509_vfy.h numbers its codes from 0; OpenSSL 3.0 stops below 100.
  for (long code = 0; code < 1000; ++code) {
    if (unknown_verify_text() == X509_verify_cert_error_string(code)) continue;
    EXPECT_TRUE(ours.count(code)) << "X509_V_ERR code " << code << " (" << X509_verify_cert_error_string(code)
                                  << ") is not in openssl_error_text.cpp";
  }
  EXPECT_GE(ours.size(), 95U);
}

TEST(OpenSslErrorText, ReasonsAreWordedAsOpenSslWordsThem) {
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  for (const auto& m : reason_messages()) {
    const int library = m.library < 0 ? ERR_LIB_X509 : m.library;
    const unsigned long code = ERR_PACK(library, 0, m.reason);
    const char* english = ERR_reason_error_string(code);
    ASSERT_NE(english, nullptr) << m.english;
    EXPECT_STREQ(m.english, english);
  }
  EXPECT_GE(reason_messages().size(), 60U);
}

TEST(OpenSslErrorText, EnglishIsOpenSslsOwn) {
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  set_language(Language::en);
  for (long code = -1; code < 120; ++code) EXPECT_EQ(verify_error_text(code), X509_verify_cert_error_string(code));
  const unsigned long no_start = ERR_PACK(ERR_LIB_PEM, 0, PEM_R_NO_START_LINE);
  EXPECT_EQ(reason_text(no_start), "no start line");
  char buffer[256];
  ERR_error_string_n(no_start, buffer, sizeof buffer);
  EXPECT_EQ(error_string(no_start), buffer);
}

// Fails when a verification result or a listed reason has no French.
TEST(OpenSslErrorText, EveryEntryHasItsFrench) {
  French french;
  std::set<std::string> verify_seen;
  for (const auto& m : verify_error_messages()) {
    const std::string translated = verify_error_text(m.code);
    EXPECT_FALSE(translated.empty());
    if (m.code != X509_V_OK) {
      EXPECT_NE(translated, m.english) << m.code << " \"" << m.english << "\" has no French";
    }
    EXPECT_TRUE(verify_seen.insert(translated).second) << translated << " used twice";
  }
  for (const auto& m : reason_messages()) {
    const int library = m.library < 0 ? ERR_LIB_X509 : m.library;
    const std::string translated = reason_text(ERR_PACK(library, 0, m.reason));
    EXPECT_NE(translated, m.english) << "\"" << m.english << "\" has no French";
  }
  EXPECT_EQ(verify_error_text(X509_V_ERR_CERT_HAS_EXPIRED), "le certificat a expiré");
  EXPECT_EQ(verify_error_text(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
            "impossible d'obtenir le certificat de l'émetteur local");
  // A code OpenSSL does not define stays in OpenSSL's words.
  EXPECT_EQ(verify_error_text(100000), unknown_verify_text());
}

TEST(OpenSslErrorText, RealErrorsOfTheQueueInFrench) {
  French french;
  ERR_clear_error();
  // A file that is not PEM: PEM_read_bio_X509 queues "no start line".
  BIO* bio = BIO_new_mem_buf("not a certificate\n", -1);
  ASSERT_NE(bio, nullptr);
  EXPECT_EQ(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr), nullptr);
  BIO_free(bio);
  const unsigned long error = ERR_peek_last_error();
  ASSERT_NE(error, 0UL);
  EXPECT_EQ(reason_text(error), "pas de ligne de début (pas un fichier PEM de ce type)");
  const std::string full = error_string(error);
  EXPECT_TRUE(full.starts_with("error:")) << full;
  EXPECT_TRUE(full.ends_with(":pas de ligne de début (pas un fichier PEM de ce type)")) << full;
  ERR_clear_error();
  // A missing file: the system library's reason is the errno text.
  BIO* missing = BIO_new_file("/nonexistent-clinic-audit/x.pem", "r");
  EXPECT_EQ(missing, nullptr);
  bool saw_system = false;
  while (const unsigned long e = ERR_get_error()) {
    if (ERR_SYSTEM_ERROR(e)) {
      saw_system = true;
      EXPECT_EQ(reason_text(e), error_text(ENOENT));
    }
  }
  EXPECT_TRUE(saw_system);
  // A reason the table lacks: OpenSSL's English.
  const unsigned long other = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_BAD_ECPOINT);
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, nullptr);
  EXPECT_EQ(reason_text(other), ERR_reason_error_string(other));
}

// Asio's "asio.ssl" category words an error as ERR_reason_error_string().
TEST(OpenSslErrorText, TlsErrorCodes) {
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  const int verify_failed = static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED));
  set_language(Language::en);
  EXPECT_EQ(tls_error_text("asio.ssl", verify_failed, "certificate verify failed"), "certificate verify failed");
  French french;
  EXPECT_EQ(tls_error_text("asio.ssl", verify_failed, "certificate verify failed"),
            "échec de la vérification du certificat");
  EXPECT_EQ(tls_error_text("system", ECONNREFUSED, "Connection refused"), "Connexion refusée");
  EXPECT_EQ(tls_error_text("asio.ssl.stream", 1, "stream truncated"), "stream truncated");
}

}  // namespace
}  // namespace clinic_audit::i18n
