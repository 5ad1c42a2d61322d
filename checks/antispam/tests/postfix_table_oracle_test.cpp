// Generated regexp_table(5) and pcre_table(5) files, each asked a set of
// keys by Debian's postmap(1) (`postmap -q - regexp:F`, `pcre:F`) and by
// regexp_lookup_all: wherever this check gives an answer (no rule it does
// not evaluate comes first), it is postmap's, found or not, value included.
// The tables mix what Postfix skips (results with bad `$` references or
// groups the pattern lacks, unknown flags), the flags of each dialect,
// negations and if/endif, so that a rule Postfix ignores is never applied
// here and a pcre pattern's POSIX translation matches what PCRE2 matches.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "antispam/postfix_parser.hpp"
#include "fixture_root.hpp"
#include "oracle_support.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

constexpr const char* kPostmap = "/usr/sbin/postmap";

template <std::size_t N>
const char* pick(std::mt19937& random, const char* const (&items)[N]) {
  return items[std::uniform_int_distribution<std::size_t>(0, N - 1)(random)];
}

std::string pattern(std::mt19937& random, PatternDialect dialect) {
  static const char* const kCommon[] = {"^",    "$",      "@",      "\\.",    "a",    "b",     "o",     "[a-c]",
                                        "[^@]", ".",      "(x|y)",  "(a)",    "(b+)", "[0-9]", "fr",    "z*",
                                        "q?",   "a{1,2}", "(ab|a)", "(c|bc)", ".*",   "(o+)",  "@(.*)", "(r)$"};
  static const char* const kPcre[] = {"\\d",   "\\w+",  "(?:fo|ba)", "(?<n>o+)",
                                      "\\x40", "a*?",   "\\s",       "(?=x)",
                                      "\\bfo", "\\D",   "[\\d.]",    "\\Aq",
                                      "o\\z",  "(?i)A", "a?(ab)?",   "(a|ab)(c|bcd)(d*)",
                                      "(o+?)"};
  static const char* const kPosix[] = {"[[:digit:]]", "[[:alpha:]]+", "\\.fr", "(o|oo)", "[.]"};
  std::string out;
  const int parts = std::uniform_int_distribution<int>(1, 4)(random);
  for (int i = 0; i < parts; ++i) {
    const int from = std::uniform_int_distribution<int>(0, 3)(random);
    out += from < 3                          ? pick(random, kCommon)
           : dialect == PatternDialect::pcre ? pick(random, kPcre)
                                             : pick(random, kPosix);
  }
  return out;
}

std::string flags(std::mt19937& random, PatternDialect dialect) {
  static const char* const kRegexp[] = {"", "", "", "i", "m", "x", "im", "Q"};
  static const char* const kPcre[] = {"", "", "", "i", "A", "U", "s", "E", "m", "X", "x", "iA", "Q"};
  return dialect == PatternDialect::pcre ? pick(random, kPcre) : pick(random, kRegexp);
}

std::string result(std::mt19937& random) {
  static const char* const kResults[] = {"OK",         "REJECT", "DUNNO",    "R $1",  "R ${1}", "R $(2)", "R $$",
                                         "R $1x",      "R $x",   "R $",      "R $0",  "R $12",  "R ${1",  "R $01",
                                         "P X: $1-$2", "R ${}",  "R $(1)$2", "OK $1", "$1",     "$1 x",   "R$1"};
  return pick(random, kResults);
}

std::string table(std::mt19937& random, PatternDialect dialect) {
  std::string text;
  const int rules = std::uniform_int_distribution<int>(1, 4)(random);
  for (int r = 0; r < rules; ++r) {
    const int shape = std::uniform_int_distribution<int>(0, 9)(random);
    const std::string negate = shape == 0 ? "!" : "";
    if (shape == 1) {  // an if block around one rule
      text += "if " + negate + "/" + pattern(random, dialect) + "/" + flags(random, dialect) + "\n";
      text += "/" + pattern(random, dialect) + "/" + flags(random, dialect) + " " + result(random) + "\nendif\n";
      continue;
    }
    text += negate + "/" + pattern(random, dialect) + "/" + flags(random, dialect) + " " + result(random) + "\n";
  }
  return text;
}

std::vector<std::string> keys(std::mt19937& random) {
  std::vector<std::string> out = {"ab@example.fr", "foo1@bar.fr", "ABC@Example.FR", "q@x", "oo@o", "abcd@bc.fr"};
  static constexpr std::string_view kAlphabet = "abcoxyzqfr12@.";
  for (int i = 0; i < 6; ++i) {
    std::string key;
    const int length = std::uniform_int_distribution<int>(1, 12)(random);
    for (int c = 0; c < length; ++c) {
      key += kAlphabet[std::uniform_int_distribution<std::size_t>(0, kAlphabet.size() - 1)(random)];
    }
    out.push_back(key);
  }
  return out;
}

struct Tally {
  int decided = 0;
  int undecided = 0;
  int found = 0;
  int captures = 0;  // pcre hits whose substituted text is POSIX's
};

void compare(PatternDialect dialect, int tables, Tally& tally) {
  const std::string type = dialect == PatternDialect::pcre ? "pcre" : "regexp";
  FixtureRoot root(fixture_dir("antispam-postmap-generated-" + type));
  root.file("/etc/postfix/main.cf", "compatibility_level = 3.6\n");
  const std::string config_dir = root.host("/etc/postfix").string();
  std::mt19937 random(dialect == PatternDialect::pcre ? 20261201 : 20261202);
  for (int t = 0; t < tables; ++t) {
    const std::string text = table(random, dialect);
    root.file("/etc/postfix/sender_checks", text);
    std::vector<std::string> asked = keys(random);
    std::sort(asked.begin(), asked.end());
    asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
    std::string input;
    for (const std::string& k : asked) input += k + "\n";
    const CommandResult r = testing::run_program(
        kPostmap, {"-c", config_dir, "-q", "-", type + ":" + root.host("/etc/postfix/sender_checks").string()}, input);
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << text << r.err;
    std::string bad;
    const auto pairs = testing::postmap_pairs(r.out, bad);
    ASSERT_TRUE(pairs) << "postmap printed: " << bad;
    const std::map<std::string, std::string>& theirs = *pairs;
    const RegexpTable parsed = parse_regexp_table(text, "/etc/postfix/sender_checks", dialect);
    for (const std::string& key : asked) {
      const std::vector<RegexpHit> hits = regexp_lookup_all(parsed, key, 1);
      if (!hits.empty() && !hits.front().unevaluated.empty()) {
        ++tally.undecided;
        continue;
      }
      ++tally.decided;
      const auto it = theirs.find(key);
      if (it == theirs.end()) {
        EXPECT_TRUE(hits.empty()) << type << " table:\n"
                                  << text << "key " << key << ": postmap finds nothing, we " << hits.front().value
                                  << " (line " << hits.front().line << ")\n"
                                  << r.err;
        continue;
      }
      ++tally.found;
      ASSERT_FALSE(hits.empty()) << type << " table:\n"
                                 << text << "key " << key << ": postmap " << it->second << ", we nothing\n"
                                 << r.err;
      // pcre: POSIX captures the longest match, Perl the first it finds, so
      // a substituted text may differ; the action word never does
      // (postfix_regexp.cpp, translate_pcre).
      const auto rule = std::find_if(parsed.rules.begin(), parsed.rules.end(),
                                     [&](const RegexpRule& x) { return x.line == hits.front().line; });
      ASSERT_NE(rule, parsed.rules.end());
      if (dialect == PatternDialect::pcre && rule->replacement.max_group > 0) {
        const auto action = [](const std::string& v) { return v.substr(0, v.find(' ')); };
        EXPECT_EQ(action(hits.front().value), action(it->second)) << type << " table:\n"
                                                                  << text << "key " << key << "\n"
                                                                  << r.err;
        ++tally.captures;
        continue;
      }
      EXPECT_EQ(hits.front().value, it->second) << type << " table:\n" << text << "key " << key << "\n" << r.err;
    }
  }
}

TEST(PostfixTableOracle, GeneratedRegexpTablesAnswerAsPostmap) {
  ASSERT_TRUE(std::filesystem::exists(kPostmap)) << "Debian's postfix is the oracle: scripts/deps/antispam.list";
  Tally tally;
  compare(PatternDialect::posix, 300, tally);
  std::cout << "regexp: " << tally.decided << " keys compared (" << tally.found << " found), " << tally.undecided
            << " left undecided\n";
  // The comparison must have happened, on hits and misses alike.
  EXPECT_GT(tally.decided, 2500);
  EXPECT_GT(tally.found, 400);
}

TEST(PostfixTableOracle, GeneratedPcreTablesAnswerAsPostmap) {
  ASSERT_TRUE(std::filesystem::exists(kPostmap)) << "Debian's postfix is the oracle: scripts/deps/antispam.list";
  ASSERT_TRUE(std::filesystem::exists("/usr/lib/postfix/postfix-pcre.so"))
      << "Debian's postfix-pcre is the oracle: scripts/deps/antispam.list";
  Tally tally;
  compare(PatternDialect::pcre, 400, tally);
  std::cout << "pcre: " << tally.decided << " keys compared (" << tally.found << " found, " << tally.captures
            << " with substituted groups), " << tally.undecided << " left undecided\n";
  EXPECT_GT(tally.decided, 2800);
  EXPECT_GT(tally.found, 320);
  EXPECT_GT(tally.captures, 40);
}

}  // namespace
}  // namespace clinic_audit::antispam
