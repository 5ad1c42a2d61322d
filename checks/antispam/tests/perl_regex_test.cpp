// Perl regular expressions translated to POSIX (perl_regex.hpp): a few
// translations and refusals written out, then Perl itself as the oracle on
// generated patterns: wherever the translation is evaluated, its answer
// must be Perl's.
#include "antispam/perl_regex.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "antispam/antispam_common.hpp"
#include "fixture_root.hpp"
#include "oracle_support.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

std::string ere(const std::string& perl) {
  std::string why;
  return perl_to_posix_ere(perl, why).value_or("REFUSED: " + why);
}

bool refused(const std::string& perl) {
  std::string why;
  const bool no = !perl_to_posix_ere(perl, why).has_value();
  EXPECT_TRUE(!no || !why.empty()) << perl << ": refused without a reason";
  return no;
}

std::optional<bool> match(const std::string& perl, const std::string& text, bool icase = false) {
  std::string why;
  return guarded_perl_match(perl, text, icase, why);
}

TEST(PerlRegex, EscapesBecomeWhatPerlMeans) {
  EXPECT_EQ(ere(R"(^(inkjetplanet|marketopt|MakeMoney)\d*@)"), "^(inkjetplanet|marketopt|MakeMoney)[0-9]*@");
  EXPECT_EQ(ere(R"(\x2d\x{41}\056\t)"), "-A\\.\t");
  EXPECT_EQ(ere(R"(\.\@\/\-)"), R"(\.@/-)");
  EXPECT_EQ(ere(R"(\Afoo\z)"), "^foo$");
  EXPECT_EQ(ere(R"(a+?b*?c??d{1,2}?)"), "a+b*c?d{1,2}");
  EXPECT_EQ(ere(R"((?:a)(?<n>b)(?P<m>c)(?'o'd)(?#note)e)"), "(a)(b)(c)(d)e");
  EXPECT_EQ(ere("x{}y{1,2,3}"), R"(x\{\}y\{1,2,3\})");
}

TEST(PerlRegex, BracketsAreRewrittenForPosix) {
  EXPECT_EQ(ere(R"([\w.-]+)"), "[A-Za-z0-9_.-]+");
  EXPECT_EQ(ere(R"([^\s@])"), "[^ \t\n\v\f\r@]");
  EXPECT_EQ(ere(R"([\]a])"), "[]a]");
  EXPECT_EQ(ere(R"([\^])"), R"(\^)");
  EXPECT_EQ(ere(R"([\^\-])"), "[-^]");
  EXPECT_EQ(ere(R"([a\-z])"), "[az-]");
  EXPECT_EQ(ere(R"([\x41-\x43])"), "[ABC]");
  EXPECT_EQ(ere(R"([[:digit:]x])"), "[[:digit:]x]");
  EXPECT_EQ(ere(R"([\\])"), R"([\])");
}

TEST(PerlRegex, WhatPosixCannotSayIsRefusedWithItsReason) {
  for (const char* perl : {R"(a(?=b))", R"((?<!a)b)", R"((?i)a)", R"(a++)",  R"(a*+)",     R"(\p{L})", R"(\Qa.b\E)",
                           R"((a)\1)",  R"(\x{e9})",  R"(\x00)",  R"([\D])", R"(^*)",      R"(\b+)",   R"(*a)",
                           R"(a{,3})",  R"(a{ 2})",   R"([a)",    R"(a\)",   R"((*FAIL))", R"(\G)",    R"([\p{L}])"}) {
    EXPECT_TRUE(refused(perl)) << perl << " -> " << ere(perl);
  }
}

// Debian's /etc/amavis/conf.d/20-debian_defaults, @score_sender_maps: was
// read by glibc as "MakeMoneyd*@" and never matched.
TEST(PerlRegex, DebianDefaultScorePatternMatchesAsInPerl) {
  const std::string pattern = R"(^(inkjetplanet|marketopt|MakeMoney)\d*@)";
  EXPECT_EQ(match(pattern, "makemoney2026@spam.example", true), true);
  EXPECT_EQ(match(pattern, "makemoneyd@spam.example", true), false);
  EXPECT_EQ(match(pattern, "votre-teleconsultation@visiotlm.esante-bretagne.fr", true), false);
}

// --- Perl as the oracle ------------------------------------------------------

// Deterministic choices (no distribution whose output the library defines).
class Dice {
 public:
  explicit Dice(std::uint32_t seed) : engine_(seed) {}
  std::size_t below(std::size_t n) { return engine_() % n; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937 engine_;
};

const std::vector<std::string> kAtoms = {"a",       "b",         "x",     "M",       "1",     "@",     ".",
                                         "-",       "_",         " ",     "/",       R"(\d)", R"(\D)", R"(\w)",
                                         R"(\W)",   R"(\s)",     R"(\S)", R"(\.)",   R"(\-)", R"(\@)", R"(\x2d)",
                                         R"(\x41)", R"(\x{61})", R"(\t)", R"(\056)", R"(\/)", R"(\+)", R"(\])"};
const std::vector<std::string> kClasses = {"[a-c]",    "[^a]",           R"([\w.-])",   R"([\d_])",  "[]a]",
                                           "[a-]",     R"([\x41-\x43])", "[[:digit:]]", R"([^\s@])", "[-a]",
                                           R"([\^a])", R"([\]b])",       R"([.\-@])",   R"([\t ])",  "[^^]",
                                           R"([\\a])", R"([\d-z])",      "[a-cx-z1]",   R"([^\w])"};
const std::vector<std::string> kAssertions = {"^", "$", R"(\b)", R"(\B)", R"(\A)", R"(\z)", R"(\Z)"};
const std::vector<std::string> kQuantifiers = {"*", "+", "?", "{1,2}", "{2}", "{0,}", "*?", "+?", "??", "{1,2}?"};
const std::vector<std::string> kGroupOpen = {"(", "(?:", "(?<n>"};

std::string generate(Dice& dice, int depth) {
  std::string out;
  const std::size_t branches = dice.below(4) == 0 ? 2 : 1;
  for (std::size_t b = 0; b < branches; ++b) {
    if (b > 0) out += '|';
    const std::size_t pieces = 1 + dice.below(4);
    for (std::size_t i = 0; i < pieces; ++i) {
      const std::size_t kind = dice.below(20);
      if (kind < 10) {
        out += dice.pick(kAtoms);
      } else if (kind < 14) {
        out += dice.pick(kClasses);
      } else if (kind < 16) {
        out += dice.pick(kAssertions);
      } else if (kind < 17) {
        out += ".";
      } else if (depth < 2) {
        // A named group's name must be unique in Perl: number it.
        std::string open = dice.pick(kGroupOpen);
        if (open == "(?<n>") open = "(?<n" + std::to_string(dice.below(1000000)) + ">";
        out += open + generate(dice, depth + 1) + ")";
      } else {
        out += "b";
      }
      if (dice.below(3) == 0) out += dice.pick(kQuantifiers);
    }
  }
  return out;
}

std::string subject(Dice& dice) {
  static const std::vector<std::string> fixed = {
      "", "a", "ab@x.fr", "makemoney12@spam.example", "votre-teleconsultation@visiotlm.esante-bretagne.fr", "M-1"};
  if (dice.below(4) == 0) return dice.pick(fixed);
  static const std::string alphabet = "abxMA1@.-_ \t/+^]\\z9";
  std::string out;
  const std::size_t length = dice.below(9);
  for (std::size_t i = 0; i < length; ++i) out += alphabet[dice.below(alphabet.size())];
  return out;
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

struct Case {
  std::string pattern, text;
  bool icase;
};

// `patterns` generated patterns, four subjects each; `input` gets one line
// per case for the oracles: hex(pattern) TAB hex(subject) TAB 0|1.
std::vector<Case> generate_cases(std::uint32_t seed, int patterns, std::string& input) {
  Dice dice(seed);
  std::vector<Case> cases;
  for (int p = 0; p < patterns; ++p) {
    const std::string pattern = generate(dice, 0);
    const bool icase = dice.below(2) == 0;
    for (int s = 0; s < 4; ++s) {
      cases.push_back({pattern, subject(dice), icase});
      input += hex(pattern) + "\t" + hex(cases.back().text) + "\t" + (icase ? "1" : "0") + "\n";
    }
  }
  return cases;
}

// The oracle's `answers` (a line per case: 1, 0, E when it refuses the
// pattern, S when it cannot judge the case) against ours, wherever ours is
// an answer.
void expect_same_answers(const std::vector<Case>& cases, const std::string& answers, const char* oracle) {
  std::istringstream lines(answers);
  std::size_t compared = 0, refused_by_us = 0, undecided = 0, refused_by_oracle = 0, mismatches = 0;
  for (const Case& c : cases) {
    std::string answer;
    ASSERT_TRUE(std::getline(lines, answer)) << oracle << " answered fewer lines than asked";
    if (answer == "E") {
      ++refused_by_oracle;
      continue;
    }
    if (answer == "S") continue;  // a case the oracle cannot judge (see kRspamdOracle)
    std::string why;
    const std::optional<std::string> translated = perl_to_posix_ere(c.pattern, why);
    if (!translated) {
      ++refused_by_us;
      continue;
    }
    const std::optional<bool> ours = guarded_perl_match(c.pattern, c.text, c.icase, why);
    if (!ours) {
      ++undecided;
      continue;
    }
    ++compared;
    if (*ours != (answer == "1") && ++mismatches <= 20) {
      ADD_FAILURE() << "pattern " << c.pattern << (c.icase ? " (i)" : "") << " as POSIX " << *translated << " on \""
                    << c.text << "\": " << oracle << " " << answer << ", ours " << *ours;
    }
  }
  EXPECT_EQ(mismatches, 0U);
  // Not vacuous: most of what the oracle accepts is translated and answered.
  EXPECT_GT(compared, (cases.size() - refused_by_oracle) * 6 / 10)
      << "compared " << compared << ", refused by us " << refused_by_us << ", regcomp/guard " << undecided
      << ", refused by " << oracle << " " << refused_by_oracle;
  std::cout << "compared " << compared << " answers with " << oracle << "'s; " << refused_by_us
            << " refused by the translation, " << undecided << " by regcomp or the guard, " << refused_by_oracle
            << " by " << oracle << "\n";
}

// perl(1) for amavisd-new's qr'...' patterns.
constexpr const char* kPerlOracle = R"PERL(no warnings;
while (my $line = <STDIN>) {
  chomp $line;
  my ($p, $s, $i) = split /\t/, $line, -1;
  $p = pack('H*', $p);
  $s = pack('H*', $s);
  my $re = eval { $i ? qr/$p/i : qr/$p/ };
  if (!defined $re) { print "E\n"; next; }
  print(($s =~ $re) ? "1\n" : "0\n");
}
)PERL";

TEST(PerlRegexOracle, EveryTranslatedAnswerIsPerls) {
  if (!std::filesystem::exists("/usr/bin/perl")) GTEST_SKIP() << "/usr/bin/perl not installed";
  std::string input;
  const std::vector<Case> cases = generate_cases(20261201, 2000, input);
  const CommandResult perl = testing::run_program("/usr/bin/perl", {"-e", kPerlOracle}, input);
  ASSERT_EQ(perl.exit_code, 0) << perl.err;
  expect_same_answers(cases, perl.out, "Perl");
}

// rspamd's own regexp objects (PCRE2, as its multimap regexp maps and
// settings use them: "/pattern/flags"), through `rspamadm lua`. Its match()
// is false on an empty string whatever the pattern (rspamd_regexp_search
// returns before searching); a sender address is never empty: S.
constexpr const char* kRspamdOracle = R"LUA(local rspamd_regexp = require 'rspamd_regexp'
local function bytes(h) return (h:gsub('..', function(x) return string.char(tonumber(x, 16)) end)) end
for line in io.lines(arg[1]) do
  local p, s, i = line:match('^(%x*)\t(%x*)\t(%d)$')
  local re = rspamd_regexp.create('/' .. bytes(p) .. '/' .. (i == '1' and 'i' or ''))
  if not re then print('E') elseif #s == 0 then print('S') else print(re:match(bytes(s)) and '1' or '0') end
end
)LUA";

TEST(PerlRegexOracle, EveryTranslatedAnswerIsRspamds) {
  if (!std::filesystem::exists("/usr/bin/rspamadm")) GTEST_SKIP() << "rspamd not installed";
  FixtureRoot dir(fixture_dir("antispam-perl-regex-rspamd"));
  std::string input;
  const std::vector<Case> cases = generate_cases(1, 1000, input);
  dir.file("/t.lua", kRspamdOracle);
  dir.file("/in.txt", input);
  const CommandResult r =
      testing::run_rspamadm({"lua", dir.host("/t.lua").string(), "-a", dir.host("/in.txt").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_answers(cases, r.out, "rspamd");
}

}  // namespace
}  // namespace clinic_audit::antispam
