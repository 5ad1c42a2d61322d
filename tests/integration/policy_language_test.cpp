// Issue #18 item 2: policies carry their texts in English and French
// (xml:lang); a policy with one language stays valid and falls back to it;
// a third language or two texts of one language are load errors naming
// file:line; the shipped policies are translated throughout.
#include <gtest/gtest.h>

#include <filesystem>

#include "fixture_root.hpp"
#include "i18n.hpp"
#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"

namespace clinic_audit::testing {
namespace {

class PolicyLanguage : public ::testing::Test {
 protected:
  void TearDown() override { i18n::set_language(i18n::Language::en); }
  static Policy load(const std::string& text) {
    return parse_policy(text, "/test/policy.xml", source_dir() / "policies" / "policy.xsd");
  }
  static std::string policy(const std::string& check_texts,
                            const std::string& header = "<title>T</title><description>D</description>") {
    return "<?xml version=\"1.0\"?>\n<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"p\" version=\"1\">" + header +
           "\n<check id=\"p.c\" type=\"file\" severity=\"high\">" + check_texts +
           "<reference seed=\"s\" section=\"s\"/><param name=\"path\">/etc/hosts</param></check>\n</policy>\n";
  }
};

TEST_F(PolicyLanguage, EachLanguageGetsItsTextAndCommandsAreShared) {
  const std::string text = policy(
      "<title xml:lang=\"en\">Hosts file</title><title xml:lang=\"fr\">Fichier hosts</title>"
      "<rationale>Why</rationale><rationale xml:lang=\"fr\">Pourquoi</rationale>"
      "<remediation><command>chmod 0644 /etc/hosts</command><note>Fix it</note><note xml:lang=\"fr\">Le corriger</note>"
      "</remediation>");
  ASSERT_EQ(i18n::set_language(i18n::Language::fr), std::nullopt);
  Policy fr = load(text);
  i18n::set_language(i18n::Language::en);
  Policy en = load(text);
  ASSERT_EQ(fr.checks.size(), 1U);
  EXPECT_EQ(fr.checks[0].title, "Fichier hosts");
  EXPECT_EQ(en.checks[0].title, "Hosts file");
  EXPECT_EQ(fr.checks[0].rationale, "Pourquoi");
  EXPECT_EQ(en.checks[0].rationale, "Why");  // no xml:lang: English
  EXPECT_EQ(fr.checks[0].remediation, "Le corriger");
  EXPECT_EQ(en.checks[0].remediation, "Fix it");
  ASSERT_EQ(fr.checks[0].remediation_commands.size(), 1U);
  EXPECT_EQ(fr.checks[0].remediation_commands[0].text, en.checks[0].remediation_commands[0].text);
  // The policy sha256 is of the file's bytes: the same in both languages.
  EXPECT_EQ(fr.sha256, en.sha256);
}

TEST_F(PolicyLanguage, ProseRemediationPerLanguageTakesTheCommandsOfTheOther) {
  const std::string text =
      policy("<title>Hosts</title><rationale>Why</rationale>"
             "<remediation xml:lang=\"en\"><command>chmod 0644 /etc/hosts</command><note>Fix it</note></remediation>"
             "<remediation xml:lang=\"fr\">Le corriger à la main</remediation>");
  ASSERT_EQ(i18n::set_language(i18n::Language::fr), std::nullopt);
  const Policy fr = load(text);
  EXPECT_EQ(fr.checks[0].remediation, "Le corriger à la main");
  ASSERT_EQ(fr.checks[0].remediation_commands.size(), 1U);
  EXPECT_EQ(fr.checks[0].remediation_commands[0].text, "chmod 0644 /etc/hosts");
}

TEST_F(PolicyLanguage, OneLanguageOnlyStaysValidAndFallsBack) {
  const std::string english_only =
      policy("<title>Hosts file</title><rationale>Why</rationale><remediation>Fix</remediation>");
  const std::string french_only =
      policy("<title xml:lang=\"fr\">Fichier hosts</title><rationale xml:lang=\"fr\">Pourquoi</rationale>"
             "<remediation xml:lang=\"fr\">Corriger</remediation>",
             "<title xml:lang=\"fr\">P</title><description xml:lang=\"fr\">D</description>");
  ASSERT_EQ(i18n::set_language(i18n::Language::fr), std::nullopt);
  EXPECT_EQ(load(english_only).checks[0].title, "Hosts file");
  i18n::set_language(i18n::Language::en);
  const Policy fr = load(french_only);
  EXPECT_EQ(fr.checks[0].title, "Fichier hosts");
  EXPECT_EQ(fr.checks[0].remediation, "Corriger");
  EXPECT_EQ(fr.title, "P");
}

TEST_F(PolicyLanguage, OtherLanguageOrTwoOfOneLanguageAreErrorsWithTheirLine) {
  try {
    load(policy("<title xml:lang=\"de\">Hosts-Datei</title><rationale>Why</rationale><remediation>Fix</remediation>"));
    FAIL() << "xml:lang=de accepted";
  } catch (const LoadFailure& e) {
    EXPECT_NE(std::string(e.what()).find("/test/policy.xml:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("xml:lang=\"de\""), std::string::npos) << e.what();
  }
  try {
    load(policy("<title>Hosts</title><title xml:lang=\"en\">Hosts again</title><rationale>Why</rationale>"
                "<remediation>Fix</remediation>"));
    FAIL() << "two English titles accepted";
  } catch (const LoadFailure& e) {
    EXPECT_NE(std::string(e.what()).find("a second <title> in language en"), std::string::npos) << e.what();
  }
  // Three titles: the schema itself refuses (maxOccurs 2).
  EXPECT_THROW(load(policy("<title>a</title><title xml:lang=\"fr\">b</title><title xml:lang=\"fr\">c</title>"
                           "<rationale>Why</rationale><remediation>Fix</remediation>")),
               LoadFailure);
}

// Every text of every shipped policy exists in both languages and the French
// is not the English (compared after loading, ${...} expanded by foreach).
TEST_F(PolicyLanguage, ShippedPoliciesAreTranslatedThroughout) {
  for (const char* id : {"apicrypt-v1", "apicrypt-v2", "ekermed"}) {
    const auto file = source_dir() / "policies" / (std::string(id) + ".xml");
    const auto xsd = source_dir() / "policies" / "policy.xsd";
    i18n::set_language(i18n::Language::en);
    const Policy en = load_policy_file(file, xsd);
    ASSERT_EQ(i18n::set_language(i18n::Language::fr), std::nullopt);
    const Policy fr = load_policy_file(file, xsd);
    EXPECT_NE(fr.title, en.title) << id;
    EXPECT_NE(fr.description, en.description) << id;
    ASSERT_EQ(fr.variables.size(), en.variables.size());
    for (std::size_t i = 0; i < en.variables.size(); ++i) {
      if (!en.variables[i].description.empty()) {
        EXPECT_NE(fr.variables[i].description, en.variables[i].description) << id;
      }
    }
    ASSERT_EQ(fr.checks.size(), en.checks.size()) << id;
    ASSERT_FALSE(en.checks.empty());
    for (std::size_t i = 0; i < en.checks.size(); ++i) {
      const auto& a = en.checks[i];
      const auto& b = fr.checks[i];
      EXPECT_EQ(a.id, b.id);
      EXPECT_NE(a.title, b.title) << a.id;
      EXPECT_NE(a.rationale, b.rationale) << a.id;
      EXPECT_NE(a.remediation, b.remediation) << a.id;
      ASSERT_EQ(a.remediation_commands.size(), b.remediation_commands.size()) << a.id;
      for (std::size_t k = 0; k < a.remediation_commands.size(); ++k) {
        EXPECT_EQ(a.remediation_commands[k].text, b.remediation_commands[k].text) << a.id;
      }
    }
  }
}

}  // namespace
}  // namespace clinic_audit::testing
