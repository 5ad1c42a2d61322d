#include "shell_quote.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace clinic_audit {
namespace {

// What sh itself makes of `printf '%s\n' <quoted>`: the quoted word must come
// back byte for byte, whatever it held.
std::string through_sh(const std::string& word) {
  const std::string script = "printf '%s' " + word;
  FILE* pipe = ::popen(("sh -c " + shell_quote(script)).c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0);
  return out;
}

TEST(ShellQuote, SurvivesShellMetacharactersAsOneWord) {
  for (const std::string value :
       {"plain", "", "a b", "it's", "$(id)", "`id`", "a;rm -rf /", "x\ny", "'''", "\\", "*", "\x1b[31mred", "-n"}) {
    EXPECT_EQ(through_sh(shell_quote(value)), value) << value;
    EXPECT_EQ(through_sh(shell_word(value)), value) << value;
  }
}

TEST(ShellQuote, SafeWordsStayReadable) {
  EXPECT_EQ(shell_word("/home/ehr/apicrypt/bin/apicrypt"), "/home/ehr/apicrypt/bin/apicrypt");
  EXPECT_EQ(shell_word("a b"), "'a b'");
  EXPECT_EQ(shell_word(""), "''");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

TEST(EscapeControl, ControlBytesBecomeVisible) {
  EXPECT_EQ(escape_control("a\nb\tc"), "a\\nb\\tc");
  EXPECT_EQ(escape_control("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(escape_control("\x7f"), "\\x7f");
  EXPECT_EQ(escape_control("\xc2\x9b"
                           "31m"),
            "\\u009b31m");
  EXPECT_EQ(escape_control("liste blanche \xc3\xa9t\xc3\xa9"), "liste blanche \xc3\xa9t\xc3\xa9");
  EXPECT_EQ(escape_control("\xff\xc3"), "\\xff\\xc3");
}

}  // namespace
}  // namespace clinic_audit
