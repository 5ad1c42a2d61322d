// systemd.syntax(7) rules of the unit file parser.
#include "common/systemd/unit_file_parser.hpp"

#include <gtest/gtest.h>

namespace clinic_audit::systemd {
namespace {

TEST(UnitFileParser, SectionsKeysAndLines) {
  const auto f = parse_unit_file("[Unit]\nDescription=x\n\n[Service]\n  PrivateTmp = yes  \n");
  ASSERT_EQ(f.assignments.size(), 2u);
  EXPECT_EQ(f.assignments[1], (UnitAssignment{"Service", "PrivateTmp", "yes", 5}));
  EXPECT_TRUE(f.issues.empty());
}

TEST(UnitFileParser, CommentsWithHashAndSemicolon) {
  const auto f = parse_unit_file("[Service]\n#PrivateTmp=no\n ;PrivateTmp=no\nPrivateTmp=yes # not a comment\n");
  ASSERT_EQ(f.assignments.size(), 1u);
  EXPECT_EQ(f.assignments[0].value, "yes # not a comment");
}

TEST(UnitFileParser, ContinuationSkipsCommentLinesAndKeepsFirstLine) {
  const auto f = parse_unit_file("[Service]\nExecStart=/bin/a \\\n# comment\n  --b \\\n  --c\nX=1\n");
  ASSERT_EQ(f.assignments.size(), 2u);
  EXPECT_EQ(f.assignments[0].value, "/bin/a    --b    --c");
  EXPECT_EQ(f.assignments[0].line, 2);
  EXPECT_EQ(f.assignments[1].line, 6);
}

TEST(UnitFileParser, EscapedBackslashDoesNotContinue) {
  const auto f = parse_unit_file("[Service]\nA=x\\\\\nB=y\n");
  ASSERT_EQ(f.assignments.size(), 2u);
  EXPECT_EQ(f.assignments[0].value, "x\\\\");
}

TEST(UnitFileParser, IgnoredLinesAreReported) {
  const auto f = parse_unit_file("PrivateTmp=no\n[Service]\njunk\n");
  EXPECT_TRUE(f.assignments.empty());
  ASSERT_EQ(f.issues.size(), 2u);
  EXPECT_EQ(f.issues[0].line, 1);
  EXPECT_EQ(f.issues[1].line, 3);
}

TEST(UnitFileParser, BadSectionHeaderStopsTrust) {
  const auto f = parse_unit_file("[Service\nPrivateTmp=no\n");
  EXPECT_TRUE(f.assignments.empty());
  EXPECT_FALSE(f.issues.empty());
}

TEST(UnitFileParser, ByteOrderMarkAndCrLf) {
  const auto f = parse_unit_file("\xEF\xBB\xBF[Service]\r\nPrivateTmp=no\r\n");
  ASSERT_EQ(f.assignments.size(), 1u);
  EXPECT_EQ(f.assignments[0].value, "no");
}

TEST(UnitFileParser, SystemdBooleanSpellings) {
  for (const char* t : {"1", "yes", "Y", "true", "T", "on", "ON"}) EXPECT_EQ(parse_systemd_boolean(t), true) << t;
  for (const char* f : {"0", "no", "N", "false", "F", "off", "Off"}) EXPECT_EQ(parse_systemd_boolean(f), false) << f;
  for (const char* x : {"", "2", "yess", "enable", " yes"}) EXPECT_FALSE(parse_systemd_boolean(x).has_value()) << x;
}

}  // namespace
}  // namespace clinic_audit::systemd
