// Language choice and translation: the environment's precedence (LC_ALL,
// LC_MESSAGES, LANG, GNU LANGUAGE), the catalog found without any locale
// generated, positional formats a translation reorders.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "i18n.hpp"

namespace clinic_audit::i18n {
namespace {

class Environment {
 public:
  Environment() {
    for (const char* name : kNames) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
  }
  ~Environment() {
    for (const char* name : kNames) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    set_language(Language::en);
  }
  void set(const char* name, const char* value) { ::setenv(name, value, 1); }

 private:
  static constexpr const char* kNames[] = {"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "CLINIC_AUDIT_LOCALEDIR"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST(Language, NamesOfLocalesAndOptions) {
  EXPECT_EQ(parse_language("fr"), Language::fr);
  EXPECT_EQ(parse_language("fr_FR.UTF-8"), Language::fr);
  EXPECT_EQ(parse_language("fr_BE@euro"), Language::fr);
  EXPECT_EQ(parse_language("FR_ca.utf8"), Language::fr);
  EXPECT_EQ(parse_language("en"), Language::en);
  EXPECT_EQ(parse_language("en_GB.UTF-8"), Language::en);
  EXPECT_EQ(parse_language("C"), Language::en);
  EXPECT_EQ(parse_language("C.UTF-8"), Language::en);
  EXPECT_EQ(parse_language("POSIX"), Language::en);
  EXPECT_EQ(parse_language("de_DE.UTF-8"), std::nullopt);
  EXPECT_EQ(parse_language(""), std::nullopt);
  EXPECT_EQ(parse_language("f"), std::nullopt);
  EXPECT_EQ(code(Language::fr), "fr");
  EXPECT_EQ(code(Language::en), "en");
}

TEST(Language, EnvironmentPrecedenceIsPosixs) {
  Environment env;
  EXPECT_EQ(language_from_environment(), Language::en);
  env.set("LANG", "fr_FR.UTF-8");
  EXPECT_EQ(language_from_environment(), Language::fr);
  env.set("LC_MESSAGES", "en_US.UTF-8");
  EXPECT_EQ(language_from_environment(), Language::en);
  env.set("LC_ALL", "fr_FR.UTF-8");
  EXPECT_EQ(language_from_environment(), Language::fr);
  env.set("LC_ALL", "");  // empty: not set (POSIX)
  EXPECT_EQ(language_from_environment(), Language::en);
  // GNU LANGUAGE wins over the locale's language, except in the C locale.
  env.set("LANGUAGE", "de:fr:en");
  EXPECT_EQ(language_from_environment(), Language::fr);
  env.set("LC_ALL", "C");
  EXPECT_EQ(language_from_environment(), Language::en);
  env.set("LC_ALL", "de_DE.UTF-8");
  env.set("LANGUAGE", "");
  EXPECT_EQ(language_from_environment(), Language::en);
}

TEST(Translate, FrenchCatalogOfTheBuildTreeWithoutAnyLocale) {
  Environment env;
  env.set("CLINIC_AUDIT_LOCALEDIR", CA_TEST_BUILD_DIR "/locale");
  env.set("LC_ALL", "fr_FR.UTF-8");  // whether or not the locale exists: not used
  ASSERT_EQ(set_language(Language::fr), std::nullopt);
  EXPECT_EQ(language(), Language::fr);
  EXPECT_STREQ(_("Debug logging"), "Journal de débogage détaillé");
  EXPECT_STREQ(_("a message nobody wrote"), "a message nobody wrote");
  set_language(Language::en);
  EXPECT_STREQ(_("Debug logging"), "Debug logging");
}

TEST(Translate, MissingCatalogStaysEnglishAndSaysWhy) {
  Environment env;
  env.set("CLINIC_AUDIT_LOCALEDIR", "/nonexistent-clinic-audit-locale");
  const auto problem = set_language(Language::fr);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("/nonexistent-clinic-audit-locale/fr/LC_MESSAGES/clinic-audit.mo"), std::string::npos);
  EXPECT_EQ(language(), Language::en);
  EXPECT_STREQ(_("Debug logging"), "Debug logging");
}

TEST(Translate, PositionalArgumentsReorderedAndBrokenFormatsFallBack) {
  Environment env;
  const auto dir = std::filesystem::temp_directory_path() / ("ca-i18n-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "fr" / "LC_MESSAGES");
  std::ofstream(dir / "t.po") << "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
                                 "msgid \"{0} of {1}\"\nmsgstr \"{1} : {0}\"\n\n"
                                 "msgid \"broken {0}\"\nmsgstr \"cassé {7}\"\n\n"
                                 "msgid \"{0} check\"\nmsgid_plural \"{0} checks\"\n"
                                 "msgstr[0] \"{0} contrôle\"\nmsgstr[1] \"{0} contrôles\"\n";
  const std::string command =
      "msgfmt -o " + (dir / "fr" / "LC_MESSAGES" / "clinic-audit.mo").string() + " " + (dir / "t.po").string();
  ASSERT_EQ(std::system(command.c_str()), 0);
  env.set("CLINIC_AUDIT_LOCALEDIR", dir.c_str());
  ASSERT_EQ(set_language(Language::fr), std::nullopt);
  EXPECT_EQ(tr("{0} of {1}", "a", 2), "2 : a");
  EXPECT_EQ(tr("broken {0}", "x"), "broken x");  // {7} does not exist: the English format
  // French plural: 0 and 1 singular, 2 plural; English: only 1 singular.
  EXPECT_EQ(trn("{0} check", "{0} checks", 0, 0), "0 contrôle");
  EXPECT_EQ(trn("{0} check", "{0} checks", 1, 1), "1 contrôle");
  EXPECT_EQ(trn("{0} check", "{0} checks", 2, 2), "2 contrôles");
  set_language(Language::en);
  EXPECT_EQ(tr("{0} of {1}", "a", 2), "a of 2");
  EXPECT_EQ(trn("{0} check", "{0} checks", 0, 0), "0 checks");
  EXPECT_EQ(trn("{0} check", "{0} checks", 1, 1), "1 check");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace clinic_audit::i18n
