// Issue #18 item 1: the system's error texts in French. The English source
// of every errno text is glibc's own (strerrordesc_np(3)); English output
// stays what strerror(3), error_code::message() and filesystem_error::what()
// print; every errno value glibc names has a French translation.
#include <gtest/gtest.h>
#include <netdb.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <set>
#include <string>
#include <system_error>

#include "errno_messages.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::i18n {
namespace {

class French {
 public:
  French() {
    ::setenv("CLINIC_AUDIT_LOCALEDIR", CA_TEST_BUILD_DIR "/locale", 1);
    EXPECT_EQ(set_language(Language::fr), std::nullopt);
  }
  ~French() {
    set_language(Language::en);
    ::unsetenv("CLINIC_AUDIT_LOCALEDIR");
  }
  French(const French&) = delete;
  French& operator=(const French&) = delete;
};

// errno values are small; 4096 covers Linux's (MAX_ERRNO) with room.
constexpr int kLastErrno = 4095;

TEST(ErrnoText, TheTableIsGlibcsListExactly) {
  int named = 0;
  for (int value = -1; value <= kLastErrno; ++value) {
    const char* name = ::strerrorname_np(value);
    const ErrnoMessage* ours = find_errno_message(value);
    if (name == nullptr) {
      EXPECT_EQ(ours, nullptr) << value << " is not an errno value glibc names";
      continue;
    }
    ++named;
    ASSERT_NE(ours, nullptr) << "glibc names errno " << value << " (" << name << "): add it to errno_messages.cpp";
    EXPECT_STREQ(ours->name, name) << value;
    EXPECT_STREQ(ours->english, ::strerrordesc_np(value)) << name;
  }
  EXPECT_EQ(static_cast<std::size_t>(named), errno_messages().size());
  EXPECT_GT(named, 130);
}

TEST(ErrnoText, EnglishIsStrerrorByteForByte) {
  set_language(Language::en);
  for (int value = -2; value <= 300; ++value) EXPECT_EQ(error_text(value), std::strerror(value)) << value;
  const auto code = std::make_error_code(std::errc::permission_denied);
  EXPECT_EQ(error_text(code), code.message());
  try {
    const std::filesystem::directory_iterator listing("/nonexistent-clinic-audit/dir");
    FAIL() << "no error";
  } catch (const std::filesystem::filesystem_error& e) {
    EXPECT_EQ(error_text(e), std::string(e.what()));
    EXPECT_EQ(exception_text(e), std::string(e.what()));
  }
}

// Fails when any errno message lacks a French translation in the compiled
// catalog (a new glibc value, a msgid changed by hand, a fuzzy entry).
TEST(ErrnoText, EveryErrnoValueHasItsFrench) {
  French french;
  std::set<std::string> seen;
  for (const ErrnoMessage& message : errno_messages()) {
    const std::string translated = translate_in_context("errno", message.english);
    EXPECT_NE(translated, message.english) << message.name << " \"" << message.english << "\" has no French";
    EXPECT_FALSE(translated.empty()) << message.name;
    EXPECT_EQ(error_text(message.value), translated) << message.name;
    // Two values with the same French would make a report ambiguous.
    EXPECT_TRUE(seen.insert(translated).second) << message.name << ": " << translated << " used twice";
  }
  EXPECT_EQ(error_text(ENOENT), "Aucun fichier ou répertoire de ce nom");
  EXPECT_EQ(error_text(EACCES), "Permission refusée");
  EXPECT_EQ(error_text(ENOTDIR), "N'est pas un répertoire");
  EXPECT_EQ(error_text(41), "Erreur inconnue 41");
  EXPECT_EQ(error_text(-3), "Erreur inconnue -3");
}

TEST(ErrnoText, ErrorCodesAndFilesystemErrorsInFrench) {
  French french;
  EXPECT_EQ(error_text(std::make_error_code(std::errc::permission_denied)), "Permission refusée");
  EXPECT_EQ(error_text(std::error_code(ENOTDIR, std::system_category())), "N'est pas un répertoire");
  // Another category keeps its own words.
  const auto future = std::make_error_code(std::future_errc::no_state);
  EXPECT_EQ(error_text(future), future.message());
  try {
    const std::filesystem::directory_iterator listing("/nonexistent-clinic-audit/dir");
    FAIL() << "no error";
  } catch (const std::filesystem::filesystem_error& e) {
    EXPECT_EQ(error_text(e),
              "erreur du système de fichiers : le parcours du répertoire ne peut pas ouvrir le répertoire : "
              "Aucun fichier ou répertoire de ce nom [/nonexistent-clinic-audit/dir]");
    EXPECT_EQ(exception_text(e), error_text(e));
  }
  try {
    throw std::system_error(std::make_error_code(std::errc::not_a_directory), "cannot open /etc/x");
  } catch (const std::exception& e) {
    EXPECT_EQ(exception_text(e), "cannot open /etc/x: N'est pas un répertoire");
  }
  const std::runtime_error plain("plain words");
  EXPECT_EQ(exception_text(plain), "plain words");
}

// getaddrinfo(3)'s texts: every EAI_* code glibc words is translated.
TEST(ErrnoText, EveryGetaddrinfoErrorHasItsFrench) {
  const std::string unknown = ::gai_strerror(-99999);
  std::set<int> ours(gai_error_codes().begin(), gai_error_codes().end());
  for (int code = -300; code <= 0; ++code) {
    if (unknown == ::gai_strerror(code)) continue;
    EXPECT_TRUE(ours.count(code)) << "EAI code " << code << " (" << ::gai_strerror(code) << ") not translated";
  }
  set_language(Language::en);
  for (int code = -300; code <= 0; ++code) EXPECT_EQ(gai_error_text(code), ::gai_strerror(code));
  French french;
  for (const int code : gai_error_codes()) {
    EXPECT_NE(gai_error_text(code), ::gai_strerror(code)) << code << " has no French";
  }
  EXPECT_EQ(gai_error_text(EAI_NONAME), "Nom ou service inconnu");
  EXPECT_EQ(gai_error_text(-99999), unknown);
}

}  // namespace
}  // namespace clinic_audit::i18n
