// The regex guard's replay of regcomp() (common/regcomp_model.hpp) against
// glibc's regcomp() itself: on generated hostile patterns, every pattern
// the guard lets through must compile quickly in the real library, and the
// replay's count must grow as glibc's CPU time does.
#include <gtest/gtest.h>
#include <regex.h>

#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "common/regcomp_model.hpp"
#include "common/regex_guard.hpp"

namespace clinic_audit {
namespace {

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// glibc's CPU time for one compilation, with REG_NOSUB as sudo, the
// sudoers evaluator and most lookups compile.
double regcomp_ms(const std::string& pattern) {
  regex_t re;
  const double start = cpu_ms();
  const int rc = regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
  const double spent = cpu_ms() - start;
  if (rc == 0) regfree(&re);
  return spent;
}

// Nested groups, alternations, stacked quantifiers and intervals over
// operands that match the empty string: the shapes that make calc_eclosure
// expensive, in random combinations (a fixed seed: the same corpus each run).
std::string hostile(std::mt19937& rng, int depth) {
  static const std::vector<std::string> atoms = {"a", "a?", "a*", "()", "b", "[ab]", ".", "a?b?", "x", "^", "$"};
  static const std::vector<std::string> ops = {"+", "?", "*", "+", "+", "{2}", "{1,3}", "", "+?", "*+", "{0,4}"};
  std::uniform_real_distribution<double> u(0, 1);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  if (depth > 6 || u(rng) < 0.25) return pick(atoms);
  const double r = u(rng);
  if (r < 0.45) {
    std::string inner;
    for (std::size_t i = 0, n = 1 + rng() % 3; i < n; ++i) inner += hostile(rng, depth + 1);
    return "(" + inner + ")" + pick(ops);
  }
  if (r < 0.6) return "(" + hostile(rng, depth + 1) + "|" + hostile(rng, depth + 1) + ")" + pick(ops);
  return hostile(rng, depth + 1) + hostile(rng, depth + 1);
}

// Sanitizers slow glibc's allocations (its regcomp is not instrumented, but
// its malloc is theirs): the bound on an accepted pattern is generous, far
// below the seconds a pattern past the guard takes.
constexpr double kAcceptedBoundMs = 150;

TEST(RegcompModel, EveryPatternTheGuardAcceptsCompilesQuicklyInGlibc) {
  std::mt19937 rng(20261201);
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < 160; ++i) {
    const std::string pattern = "^" + hostile(rng, 0) + "$";
    if (regex_refusal(pattern)) {
      ++refused;
      continue;
    }
    ++accepted;
    EXPECT_LT(regcomp_ms(pattern), kAcceptedBoundMs) << pattern;
  }
  // The corpus holds both kinds: the test says something about each.
  EXPECT_GT(accepted, 60);
  EXPECT_GT(refused, 10);
}

// Found by fuzz_sudoers in CI: accepted by the weight alone (12), 0.4 s of
// regcomp() natively and 10 s under ASan.
TEST(RegcompModel, TheFuzzerFindIsRefused) {
  const std::string pattern = "^( ( ((a?)((((ar/\xaf"
                              "in/+)+)a???? ^(()(((a?)+)+)+)+)+)+)+?)+)+)+)+)+$";
  EXPECT_LE(nullable_quantifier_weight(pattern), kMaxNullableWeight);  // what let it through
  const auto why = regex_refusal(pattern);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("stacked"), std::string::npos);
  EXPECT_GT(regcomp_ms(pattern), 20.0);  // glibc agrees that it is slow
}

// The replay's count follows glibc's time: one nesting level more is tens
// of times the work in both (measured: 0.27 and 5.8 ms; 176,000 and 10.7 M
// steps).
TEST(RegcompModel, CountGrowsAsGlibcTimeDoes) {
  const RegcompWork small = replay_regcomp("^(((a?)+)+)+$", 100000, 1u << 30);
  const RegcompWork large = replay_regcomp("^((((a?)+)+)+)+$", 100000, 1u << 30);
  EXPECT_FALSE(small.over);
  EXPECT_FALSE(large.over);
  EXPECT_GT(large.steps, 30 * small.steps);
  EXPECT_GT(regcomp_ms("^((((a?)+)+)+)+$"), 5 * regcomp_ms("^(((a?)+)+)+$"));
  const RegcompWork plain = replay_regcomp("^/usr/bin/[a-z]{1,8}$", 100000, 1u << 30);
  EXPECT_LT(plain.steps, 1000u);
  EXPECT_LT(regcomp_ms("^/usr/bin/[a-z]{1,8}$"), 1.0);
}

// The replay stops at its limits and says so, whatever the pattern.
TEST(RegcompModel, StopsAtItsLimits) {
  const RegcompWork steps = replay_regcomp("^(((((((a?)+)+)+)+)+)+)+$", 100000, 5000);
  EXPECT_TRUE(steps.over);
  EXPECT_LT(steps.steps, 5000u + 200000u);
  const RegcompWork nodes = replay_regcomp("(a{1000}){1000}", 2000, 1u << 30);
  EXPECT_TRUE(nodes.over);
  EXPECT_LE(nodes.nodes, 2001u);
  const RegcompWork deep = replay_regcomp(std::string(5000, '(') + "a" + std::string(5000, ')'), 100000, 1u << 30);
  EXPECT_TRUE(deep.over);  // nesting past kMaxNesting: refused, never followed
}

// Malformed patterns (glibc refuses them cheaply) are read on as ordinary
// characters: the replay never crashes and never reports less than a
// valid pattern of the same shape.
TEST(RegcompModel, MalformedPatternsAreReadOn) {
  for (const char* p :
       {"(",          ")",  "((a", "a)))", "*a", "a{",        "a{2",  "a{3,1}", "a{,}",      "[",       "[]",
        "[[:alpha:]", "\\", "a|",  "|",    "^*", "a**{2}{3}", "(|)+", "\\b+",   "\\1(a)\\1", "a{0}{0}+"}) {
    const RegcompWork w = replay_regcomp(p, 100000, 1u << 30);
    EXPECT_FALSE(w.over) << p;
    EXPECT_GE(w.nodes, 1u) << p;  // END_OF_RE at least
  }
}

}  // namespace
}  // namespace clinic_audit
