// The regex guard's replay of regcomp() (common/regcomp_model.hpp) against
// glibc's regcomp() itself: on generated hostile patterns, every pattern
// the guard lets through must compile quickly in the real library, and the
// replay's count must grow as glibc's CPU time does.
#include <gtest/gtest.h>
#include <regex.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "common/regcomp_model.hpp"
#include "common/regex_guard.hpp"

namespace clinic_audit {
namespace {

// glibc's CPU time for compiling each pattern, with REG_NOSUB as sudo, the
// sudoers evaluator and most lookups compile, measured by a helper built
// without the sanitizers (regcomp_timer.cpp).
std::vector<double> regcomp_ms(const std::vector<std::string>& patterns) {
  char path[] = "/tmp/regcomp-model-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return {};
  std::string input;
  for (const std::string& p : patterns) input += p + "\n";
  const bool written = write(fd, input.data(), input.size()) == static_cast<ssize_t>(input.size());
  close(fd);
  std::vector<double> times;
  if (written) {
    FILE* out = popen((std::string(CA_REGCOMP_TIMER) + " < " + path).c_str(), "r");
    double ms = 0;
    while (out != nullptr && std::fscanf(out, "%lf", &ms) == 1) times.push_back(ms);
    if (out != nullptr) pclose(out);
  }
  unlink(path);
  return times;
}

double regcomp_ms(const std::string& pattern) {
  const std::vector<double> times = regcomp_ms(std::vector<std::string>{pattern});
  return times.size() == 1 ? times[0] : -1;
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

// Far below the seconds a pattern past the guard takes, well above the
// 10 to 20 ms kMaxRegexWork stands for (CPU time: load does not change it).
constexpr double kAcceptedBoundMs = 60;

TEST(RegcompModel, EveryPatternTheGuardAcceptsCompilesQuicklyInGlibc) {
  std::mt19937 rng(20261201);
  std::vector<std::string> accepted;
  int refused = 0;
  for (int i = 0; i < 160; ++i) {
    const std::string pattern = "^" + hostile(rng, 0) + "$";
    if (regex_refusal(pattern)) {
      ++refused;
    } else {
      accepted.push_back(pattern);
    }
  }
  // The corpus holds both kinds: the test says something about each.
  EXPECT_GT(accepted.size(), 60u);
  EXPECT_GT(refused, 10);
  const std::vector<double> times = regcomp_ms(accepted);
  ASSERT_EQ(times.size(), accepted.size());
  for (std::size_t i = 0; i < times.size(); ++i) EXPECT_LT(times[i], kAcceptedBoundMs) << accepted[i];
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

// Real header_checks and whitelists hold long alternations: a thousand
// words (2.2 M steps, 6.8 ms of regcomp) are accepted, and compile as fast
// as the replay said.
TEST(RegcompModel, LongAlternationsOfRealTablesAreAccepted) {
  std::mt19937 rng(7);
  std::string words;
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) words += '|';
    for (std::size_t n = 4 + rng() % 7; n > 0; --n) words += static_cast<char>('a' + rng() % 26);
  }
  const std::string pattern = "^Subject:.*(" + words + ")";
  EXPECT_FALSE(regex_refusal(pattern)) << *regex_refusal(pattern);
  EXPECT_GT(regex_compile_cost(pattern), 1000000u);
  EXPECT_LT(regcomp_ms(pattern), kAcceptedBoundMs);
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
