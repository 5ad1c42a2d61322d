// The lexer must cut lines and spot directives exactly as NCONF does
// (conf_def.c); each case here is also checked against NCONF itself where
// NCONF can tell (see ssl_settings_test and the differential tests).
#include "conf_lexer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace clinic_audit::openssl {
namespace {

std::vector<LogicalLine> lines_of(std::string_view text, bool top = true) {
  LineReader reader(text, top);
  std::vector<LogicalLine> out;
  while (auto line = reader.next()) out.push_back(*line);
  return out;
}

TEST(LineReader, JoinsContinuationsAndKeepsPhysicalLineNumbers) {
  auto lines = lines_of("a = 1\nb = x\\\ny\\\nz\nc = 3\n");
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[1].text, "b = xyz");
  EXPECT_EQ(lines[1].first_line, 2);
  EXPECT_EQ(lines[2].text, "c = 3");
  EXPECT_EQ(lines[2].first_line, 5);
}

TEST(LineReader, EscapedBackslashDoesNotContinue) {
  auto lines = lines_of("a = x\\\\\nb = 2\n");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].text, "a = x\\\\");
}

TEST(LineReader, StripsCrLfAndOnlyTheTopFilesBom) {
  auto top = lines_of("\xEF\xBB\xBF"
                      "a = 1\r\nb = 2");
  ASSERT_EQ(top.size(), 2U);
  EXPECT_EQ(top[0].text, "a = 1");
  EXPECT_EQ(top[1].text, "b = 2");
  auto included = lines_of("\xEF\xBB\xBF"
                           "a = 1\n",
                           false);
  ASSERT_EQ(included.size(), 1U);
  EXPECT_EQ(included[0].text, "\xEF\xBB\xBF"
                              "a = 1");
}

TEST(LineReader, ContinuationPendingAtEndOfFileEndsTheLine) {
  auto lines = lines_of("a = 1\\");
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "a = 1");
}

TEST(LineReader, LongLinesAreReassembled) {
  const std::string value(2000, 'x');
  auto lines = lines_of("a = " + value + "\nb = 2\n");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].text, "a = " + value);
  EXPECT_EQ(lines[1].first_line, 2);
}

TEST(LineReader, AnEmptyReadEndsTheFileAsInOpenSSL) {
  // A NUL at the start of a line reads as an empty string: OpenSSL stops there.
  auto lines = lines_of(std::string("a = 1\n\0b = 2\n", 13));
  ASSERT_EQ(lines.size(), 1U);
}

TEST(Classify, RecognisesDirectivesLikeNconf) {
  PragmaState state;
  auto inc = classify(".include /etc/ssl/x.cnf # comment", state);
  EXPECT_EQ(inc.kind, LineKind::include);
  EXPECT_EQ(inc.rest, "/etc/ssl/x.cnf ");
  auto eq = classify(".include = $dir/x.cnf", state);
  EXPECT_EQ(eq.kind, LineKind::include);
  EXPECT_EQ(eq.rest, "$dir/x.cnf");
  auto sect = classify("  [ system_default_sect ]  # x", state);
  EXPECT_EQ(sect.kind, LineKind::section);
  EXPECT_EQ(sect.section, "system_default_sect");
  auto spaced = classify("[ a b ]", state);
  EXPECT_EQ(spaced.section, "a b");
  auto assign = classify("s::CipherString = DEFAULT@SECLEVEL=1", state);
  EXPECT_EQ(assign.kind, LineKind::assignment);
  EXPECT_TRUE(assign.explicit_section);
  EXPECT_EQ(assign.section, "s");
  EXPECT_EQ(assign.name, "CipherString");
  EXPECT_EQ(assign.rest, "DEFAULT@SECLEVEL=1");
  EXPECT_EQ(classify("# .include /x", state).kind, LineKind::blank);
  EXPECT_EQ(classify("a = '.include /x'", state).kind, LineKind::assignment);
  EXPECT_EQ(classify("no equal sign", state).kind, LineKind::error);
  EXPECT_EQ(classify("[unterminated", state).kind, LineKind::error);
}

TEST(Classify, PragmasChangeTheState) {
  PragmaState state;
  EXPECT_EQ(classify(".pragma dollarid:on", state).kind, LineKind::pragma);
  EXPECT_TRUE(state.dollarid);
  EXPECT_EQ(classify(".pragma = includedir : /etc/ssl/inc ", state).kind, LineKind::pragma);
  ASSERT_TRUE(state.includedir);
  EXPECT_EQ(*state.includedir, "/etc/ssl/inc");
  EXPECT_EQ(classify(".pragma abspath:maybe", state).kind, LineKind::error);
  EXPECT_EQ(classify(".pragma nocolon", state).kind, LineKind::error);
  EXPECT_EQ(classify(".pragma unknown:1", state).kind, LineKind::pragma);
  // With dollarid on, '$' is part of a name.
  auto line = classify("a$b = 1", state);
  EXPECT_EQ(line.kind, LineKind::assignment);
  EXPECT_EQ(line.name, "a$b");
}

TEST(Classify, IsLiteral) {
  EXPECT_TRUE(is_literal("system_default_sect"));
  EXPECT_FALSE(is_literal("$x"));
  EXPECT_FALSE(is_literal("a\\b"));
}

}  // namespace
}  // namespace clinic_audit::openssl
