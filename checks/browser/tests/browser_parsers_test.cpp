#include <gtest/gtest.h>

#include "browser/dpkg_status.hpp"
#include "browser/findings.hpp"
#include "browser/firefox_policy.hpp"
#include "browser/inventory.hpp"
#include "browser/lenient_json.hpp"
#include "browser/version.hpp"

namespace clinic_audit::browser {
namespace {

TEST(BrowserJson, ChromiumDialectAcceptsCommentsTrailingCommasAndBom) {
  const auto v = parse_json("\xEF\xBB\xBF// c\n{ /* x\n */ \"A\": [1, 2,],\n \"B\": false, }", JsonDialect::chromium());
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.find("A")->array->size(), 2u);
  EXPECT_EQ(v.find("B")->line, 4);
  EXPECT_THROW(parse_json("{\"A\": 1,}", JsonDialect::strict()), JsonError);
  EXPECT_THROW(parse_json("// c\n{}", JsonDialect::strict()), JsonError);
}

TEST(BrowserJson, ErrorsNameTheLineAndDuplicatesKeepTheLast) {
  try {
    parse_json("{\n\"A\": 1\n# x\n}", JsonDialect::chromium());
    FAIL();
  } catch (const JsonError& e) {
    EXPECT_EQ(e.line(), 3);
  }
  EXPECT_EQ(parse_json("{\"A\": 2, \"A\": 1}", JsonDialect::chromium()).find("A")->integer, 1);
  EXPECT_EQ(parse_json("2.0", JsonDialect::chromium()).kind, JsonValue::Kind::real);
  EXPECT_EQ(parse_json("\"\\u00e9\\ud83d\\ude00\"", JsonDialect::strict()).string, "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_THROW(parse_json(std::string(300, '[') + std::string(300, ']'), JsonDialect::chromium()), JsonError);
  EXPECT_THROW(parse_json("{\"a\": 01}", JsonDialect::strict()), JsonError);
  EXPECT_THROW(parse_json("/* never closed", JsonDialect::chromium()), JsonError);
}

TEST(BrowserVersion, UpstreamNumbersAfterEpoch) {
  EXPECT_EQ(to_string(*numeric_version("153.8.0esr-1~deb12u1")), "153.8.0");
  EXPECT_EQ(to_string(*numeric_version("1:7.0.3-1")), "7.0.3");
  EXPECT_FALSE(numeric_version("esr"));
  EXPECT_LT(compare_versions(*numeric_version("77.9"), *numeric_version("78")), 0);
  EXPECT_EQ(compare_versions(*numeric_version("78.0"), *numeric_version("78")), 0);
}

TEST(BrowserDpkg, OnlyInstalledPackagesWithLines) {
  const auto pkgs =
      installed_packages("Package: chromium\nStatus: install ok installed\nVersion: 156.0-1\nDescription: x\n more\n\n"
                         "Package: firefox\nStatus: deinstall ok config-files\nVersion: 1\n\n"
                         "Package: firefox-esr\nStatus: install ok installed\nVersion: 153.8.0esr-1\n");
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].name, "chromium");
  EXPECT_EQ(pkgs[1].line, 11);
}

TEST(BrowserInventoryParsers, SnapYamlStateIniAppstream) {
  EXPECT_EQ(*snap_yaml_version("name: firefox\nversion: '128.0.3-1'\n"), "128.0.3-1");
  EXPECT_FALSE(snap_yaml_version("name: x\n  version: 3\n"));
  const auto revs = snap_state_revisions(R"({"data":{"snaps":{"firefox":{"current":"4848"},"core":{"current":"1"}}}})");
  ASSERT_EQ(revs.size(), 2u);
  EXPECT_EQ(revs[0].revision, "4848");  // object order as in the file
  EXPECT_EQ(revs[1].name, "core");
  int line = 0;
  EXPECT_EQ(*ini_value("[App]\nName=Firefox\nVersion=115.5.0\n[Gecko]\nVersion=1\n", "App", "Version", &line),
            "115.5.0");
  EXPECT_EQ(line, 3);
  EXPECT_EQ(*appstream_release_version(
                "<component><releases><release version=\"9.0\"/><release version=\"130.0\"/></releases></component>"),
            "130.0");
  EXPECT_THROW(appstream_release_version("<component"), std::runtime_error);
}

TEST(BrowserOrigins, ChromiumPatternSyntax) {
  EXPECT_TRUE(origin_matches("*", "https://a.b"));
  EXPECT_TRUE(origin_matches("[*.]telesantebretagne.org", "https://ekermed.telesantebretagne.org"));
  EXPECT_TRUE(origin_matches("https://ekermed.telesantebretagne.org:443", "https://ekermed.telesantebretagne.org"));
  EXPECT_FALSE(origin_matches("http://ekermed.telesantebretagne.org", "https://ekermed.telesantebretagne.org"));
  EXPECT_FALSE(origin_matches("evil-telesantebretagne.org", "https://telesantebretagne.org"));
  EXPECT_FALSE(origin_matches("[*.]apizee.com", "https://notapizee.com"));
}

TEST(BrowserOrigins, UrlFilterSyntax) {
  const std::string o = "https://ekermed.telesantebretagne.org";
  EXPECT_TRUE(url_filter_matches("*", o));
  EXPECT_TRUE(url_filter_matches("telesantebretagne.org", o));    // subdomains match
  EXPECT_FALSE(url_filter_matches(".telesantebretagne.org", o));  // exact host only
  EXPECT_TRUE(url_filter_matches(".ekermed.telesantebretagne.org", o));
  EXPECT_TRUE(url_filter_matches("https://*", o));
  EXPECT_FALSE(url_filter_matches("http://*", o));
  EXPECT_FALSE(url_filter_matches("ekermed.telesantebretagne.org/admin", o));
  EXPECT_FALSE(url_filter_matches("ekermed.telesantebretagne.org:8443", o));
}

TEST(BrowserPrefs, LockedWinsAndErrorsNameTheLine) {
  Prefs prefs;
  apply_pref_file("lockPref(\"media.peerconnection.enabled\", false);\n# c\npref('x', 2, sticky);", "a.js", prefs);
  apply_pref_file("/* */ pref(\"media.peerconnection.enabled\", true);\n", "b.js", prefs);
  EXPECT_FALSE(prefs.at("media.peerconnection.enabled").value.boolean);
  EXPECT_TRUE(prefs.at("media.peerconnection.enabled").locked);
  EXPECT_EQ(prefs.at("x").value.integer, 2);
  try {
    apply_pref_file("pref(\"a\", 1);\n\npref(\"b\" 2);\npref(\"c\", 3);\npref('d', \"x;y\" junk; pref(\"e\", 5);",
                    "c.js", prefs);
    FAIL();
  } catch (const PrefError& e) {
    EXPECT_EQ(e.line(), 3);  // the first error
  }
  EXPECT_EQ(prefs.at("a").value.integer, 1);  // what came before the error is kept
  EXPECT_EQ(prefs.at("c").value.integer, 3);  // parsing resumes after the next ';'
  EXPECT_EQ(prefs.count("b"), 0u);
  EXPECT_EQ(prefs.count("d"), 0u);
  EXPECT_EQ(prefs.at("e").value.integer, 5);  // the ';' inside "x;y" does not end the skip
  // defaultPref() is not a preference-file statement (firefox-esr: a syntax error).
  Prefs other;
  EXPECT_THROW(apply_pref_file("defaultPref(\"f\", 1);", "d.js", other), PrefError);
  EXPECT_EQ(other.count("f"), 0u);
}

TEST(BrowserPrefs, AutoconfigBodyAndCalls) {
  // Obscured by 13, first line skipped (nsReadConfig.cpp / prefcalls.js).
  std::string file = "// line one\nlockPref(\"a\", false)\npref(\"a\", true);\npref(\"b\", 1);\nunlockPref(\"a\");\n";
  std::string obscured = file;
  for (char& c : obscured) c = static_cast<char>(static_cast<unsigned char>(c) + 13);
  const std::string body = autoconfig_body(obscured, 13);
  EXPECT_EQ(body.find("line one"), std::string::npos);
  Prefs prefs;
  apply_pref_file(body, "x.cfg", prefs, PrefSyntax::autoconfig);
  EXPECT_FALSE(prefs.at("a").value.boolean);  // pref() does not change a locked pref
  EXPECT_FALSE(prefs.at("a").locked);         // unlockPref
  EXPECT_EQ(prefs.at("a").line, 2);           // lines are the file's
  EXPECT_EQ(prefs.at("b").value.integer, 1);
  // An earlier lock from a preference file is replaced by lockPref.
  Prefs locked;
  apply_pref_file("pref(\"c\", false, locked);", "p.js", locked);
  apply_pref_file("\nlockPref(\"c\", true);", "x.cfg", locked, PrefSyntax::autoconfig);
  EXPECT_TRUE(locked.at("c").value.boolean);
  // Other JavaScript is not evaluated: an error naming its line.
  try {
    apply_pref_file("\nif (true) { lockPref(\"d\", 1); }", "x.cfg", prefs, PrefSyntax::autoconfig);
    FAIL();
  } catch (const PrefError& e) {
    EXPECT_EQ(e.line(), 2);
  }
  EXPECT_EQ(autoconfig_body("first\r\nsecond", 0), "\nsecond");
  EXPECT_EQ(autoconfig_body("first\nsecond", -13), "\nsecond");  // nsReadConfig: only a value > 0 shifts
  EXPECT_EQ(autoconfig_body("\x85\x17\x6f", 269), "\nb");        // "x\nb" + 13; 269 = 13 modulo 256, as char arithmetic
}

}  // namespace
}  // namespace clinic_audit::browser
