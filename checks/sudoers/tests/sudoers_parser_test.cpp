// The sudoers parser on its own: the grammar points of sudoers(5) that real
// files use, errors naming file and line, and hostile input (no crash, no
// hang, linear time). The differential test checks the same against sudo.
#include "sudoers/sudoers_parser.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "sudoers/sudoers_lexer.hpp"

namespace clinic_audit::sudoers {
namespace {

ParsedFile parse_ok(const std::string& text) {
  ParseResult r = parse_sudoers(text, "/etc/sudoers");
  EXPECT_FALSE(r.error) << r.error->describe();
  return std::move(r.parsed);
}

TEST(SudoersParser, TagsCarryOverUntilTheOppositeTag) {
  const ParsedFile f = parse_ok("alice ALL = NOPASSWD: /a, /b, PASSWD: /c, /d\n");
  const auto& cmds = f.user_specs.at(0).privileges.at(0).commands;
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0].tags.nopasswd, Tags::on);
  EXPECT_EQ(cmds[1].tags.nopasswd, Tags::on);
  EXPECT_EQ(cmds[2].tags.nopasswd, Tags::off);
  EXPECT_EQ(cmds[3].tags.nopasswd, Tags::off);
}

TEST(SudoersParser, RunasCarriesOverAndAllImpliesSetenv) {
  const ParsedFile f = parse_ok("alice ALL = (root:wheel) /a, /b, (operator) ALL, /c\n");
  const auto& cmds = f.user_specs.at(0).privileges.at(0).commands;
  EXPECT_EQ(cmds[1].runas_users->at(0).name, "root");
  EXPECT_EQ(cmds[1].runas_groups->at(0).name, "wheel");
  EXPECT_FALSE(cmds[2].runas_groups);
  EXPECT_EQ(cmds[2].tags.setenv, Tags::implied);
  EXPECT_EQ(cmds[3].tags.setenv, Tags::unset);  // gram.y: an implied SETENV is not inherited
}

TEST(SudoersParser, ChainedAliasDefinitions) {
  const ParsedFile f = parse_ok("User_Alias A = alice, %wheel : B = #33, !bob\nCmnd_Alias C = /bin/ls, !/bin/rm\n");
  ASSERT_EQ(f.aliases.size(), 3u);
  EXPECT_EQ(f.aliases[1].name, "B");
  EXPECT_EQ(f.aliases[1].members[0].name, "#33");
  EXPECT_TRUE(f.aliases[1].members[1].negated);
  EXPECT_EQ(f.aliases[2].kind, AliasKind::command);
}

TEST(SudoersParser, DefaultsBindingsAreKept) {
  const ParsedFile f =
      parse_ok("Defaults env_reset\nDefaults:www-data !requiretty\nDefaults@host1 log_output\n"
               "Defaults>root !set_logname\nDefaults!/usr/bin/less noexec\nDefaults env_keep += \"A B\"\n");
  ASSERT_EQ(f.defaults.size(), 6u);
  EXPECT_EQ(f.defaults[1].binding, DefaultsEntry::Binding::user);
  EXPECT_EQ(f.defaults[1].settings[0].op, '!');
  EXPECT_EQ(f.defaults[2].binding, DefaultsEntry::Binding::host);
  EXPECT_EQ(f.defaults[3].binding, DefaultsEntry::Binding::runas);
  EXPECT_EQ(f.defaults[4].binding, DefaultsEntry::Binding::command);
  EXPECT_EQ(f.defaults[4].bound_to[0].command(), "/usr/bin/less");
  EXPECT_EQ(f.defaults[5].settings[0].op, '+');
  EXPECT_EQ(f.defaults[5].settings[0].value, "A B");
}

TEST(SudoersParser, CommentsVersusIncludes) {
  const ParsedFile f = parse_ok("#include a\n# include b\n#includedir d\n@include e\n@includedir f\n#1000 ALL = /x\n");
  ASSERT_EQ(f.includes.size(), 4u);
  EXPECT_EQ(f.includes[0].path, "a");
  EXPECT_TRUE(f.includes[1].directory);
  EXPECT_EQ(f.includes[1].line, 3);
  ASSERT_EQ(f.user_specs.size(), 1u);
  EXPECT_EQ(f.user_specs[0].users[0].name, "#1000");
}

TEST(SudoersParser, QuotedEscapedWordsAndContinuation) {
  const ParsedFile f = parse_ok("\"%admin\" ALL = /usr/bin/e a\\,b c\\:d \\\n  more, /opt/my\\ app/x\n");
  const auto& us = f.user_specs.at(0);
  EXPECT_EQ(us.users[0].kind, Member::Kind::user_group);
  const auto& cmds = us.privileges[0].commands;
  EXPECT_EQ(cmds[0].command.args, "a,b c:d more");
  EXPECT_EQ(cmds[1].command.command(), "/opt/my app/x");
}

TEST(SudoersParser, CommandForms) {
  const ParsedFile f = parse_ok(
      "a ALL = /bin/ls \"\", sudoedit /etc/hosts, ^/usr/bin/(ls|cat)$, /usr/bin/, "
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef /bin/x, list, !!/bin/y, !/bin/z\n");
  const auto& c = f.user_specs.at(0).privileges[0].commands;
  ASSERT_EQ(c.size(), 8u);
  EXPECT_EQ(c[0].command.args, "\"\"");
  EXPECT_EQ(c[1].command.command(), "sudoedit");
  EXPECT_EQ(c[2].command.command(), "^/usr/bin/(ls|cat)$");
  EXPECT_EQ(c[3].command.command(), "/usr/bin/");
  EXPECT_EQ(c[4].command.digests->at(0).algorithm, "sha256");
  EXPECT_EQ(c[5].command.command(), "list");
  EXPECT_FALSE(c[6].command.negated);  // sudoers(5): an even number of '!' cancels out
  EXPECT_TRUE(c[7].command.negated);
}

TEST(SudoersParser, SyntaxErrorsNameFileAndLine) {
  const ParseResult r = parse_sudoers("alice ALL = /a, \\\n /b\nfoo bar baz\n", "/etc/sudoers.d/x");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->describe(), "/etc/sudoers.d/x:3:9: syntax error");
  EXPECT_EQ(parse_sudoers("a ALL = /bin/ls ^-l\n", "f").error->message, "unterminated regular expression");
  EXPECT_EQ(parse_sudoers("a ALL = TIMEOUT=x /bin/ls\n", "f").error->message, "invalid timeout value");
  EXPECT_EQ(parse_sudoers("Cmnd_Alias A=/a\nCmnd_Alias A=/b\n", "f").error->describe(),
            "f:2:16: Alias \"A\" already defined");
}

// gram.y's error recovery, as `sudo -l -U` shows it (see the eval corpus
// "recovery_*" for the same against sudo itself).
TEST(SudoersParser, ErrorRecoveryKeepsTheOtherEntries) {
  const ParseResult r = parse_sudoers("root ALL=(ALL) ALL\n"
                                      "www-data ALL = bogus bogus2\n"
                                      "www-data ALL=(root) NOPASSWD: ALL\n"
                                      "alice ALL = /bin/ls : bad bad = /x : ALL = /bin/sh\n"
                                      "bob ALL = /bin/ls : ALL = \n"
                                      "carol ALL = /bin/ls : ALL = /bin/x, : ALL = /bin/y\n"
                                      "Cmnd_Alias A = /bin/a : B = /bin/b junk\n"
                                      "@include extra trailing\n",
                                      "f");
  ASSERT_EQ(r.errors.size(), 6u);  // as visudo -c on the same text
  EXPECT_EQ(r.errors[0].describe(), "f:2:16: expected a fully-qualified path name");
  EXPECT_EQ(r.errors[1].describe(), "f:4:27: syntax error");
  EXPECT_EQ(r.errors[2].describe(), "f:4:27: syntax error");  // visudo prints it twice too
  EXPECT_EQ(r.errors[3].describe(), "f:5:27: syntax error");
  std::vector<std::string> users;
  for (const auto& u : r.parsed.user_specs)
    users.push_back(u.users.at(0).name + "/" + std::to_string(u.privileges.size()));
  // alice: the second privilege fails and the entry cannot go on: dropped;
  // bob: the failed privilege is the last: the first is kept;
  // carol: the failed privilege is followed by ':': the others are kept.
  EXPECT_EQ(users, (std::vector<std::string>{"root/1", "www-data/1", "bob/1", "carol/2"}));
  EXPECT_EQ(r.errors[4].describe(), "f:6:37: syntax error");
  EXPECT_EQ(r.errors[5].describe(), "f:8:16: syntax error");
  ASSERT_EQ(r.parsed.aliases.size(), 2u);  // "/bin/b junk" is a command with an argument
  ASSERT_EQ(r.parsed.includes.size(), 1u);
  EXPECT_EQ(r.parsed.includes[0].path, "extra");
}

TEST(SudoersParser, LookAlikeBlanksAreNamed) {
  const ParseResult r = parse_sudoers("www-data ALL=(root)\xc2\xa0NOPASSWD: /usr/bin/id\n", "f");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->describe(), "f:1:20: expected a fully-qualified path name");
}

TEST(SudoersParser, TimeoutsAndGeneralizedTime) {
  EXPECT_EQ(parse_timeout("1h30m"), 5400);
  EXPECT_EQ(parse_timeout("90"), 90);
  EXPECT_FALSE(parse_timeout("5m1h"));  // suffixes in order d, h, m, s
  EXPECT_EQ(parse_gentime("20240101000000Z"), "20240101000000Z");
  EXPECT_EQ(parse_gentime("2024010112+0100"), "20240101110000Z");
  EXPECT_FALSE(parse_gentime("2024"));
}

TEST(SudoersParser, HostileInputTerminatesInLinearTime) {
  std::mt19937 rng(42);
  const std::string alphabet = "aA:=,!()\"\\#%+ \t\n/^$*@0123456789ALLNOPASSWD:Defaults_Alias";
  for (int round = 0; round < 200; ++round) {
    std::string text;
    const std::size_t n = rng() % 400;
    for (std::size_t i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
    (void)parse_sudoers(text, "fuzz");
  }
  // A megabyte on one line and a megabyte of continuations.
  const std::string long_word(1 << 20, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(parse_sudoers(long_word, "big").error);
  std::string continued;
  for (int i = 0; i < 100000; ++i) continued += "a, \\\n";
  EXPECT_TRUE(parse_sudoers(continued, "cont").error);
  // ASan and UBSan make the scanner several times slower, not quadratic.
#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
  const auto limit = std::chrono::seconds(20);
#else
  const auto limit = std::chrono::seconds(5);
#endif
  EXPECT_LT(std::chrono::steady_clock::now() - start, limit);
}

TEST(SudoersParser, RegexThatWouldExhaustRegcompIsRefused) {
  // glibc's regcomp() copies the operand of each stacked '+': 2^30 copies here.
  // Not a syntax error (sudo would try to compile it): refused apart, and
  // the check says it cannot evaluate the tree.
  const ParseResult r = parse_sudoers("a ALL = ^/u++++++++++++++++++++++++++++++sr/bin/(|cat)$\n", "f");
  EXPECT_FALSE(r.error);
  ASSERT_EQ(r.refused_regexes.size(), 1u);
  EXPECT_EQ(r.refused_regexes[0].line, 1);
  EXPECT_NE(r.refused_regexes[0].message.find("more than 20000 nodes"), std::string::npos);
  EXPECT_FALSE(parse_sudoers("a ALL = ^/usr/bin/[a-z]{1,32}(-[0-9]+)?$\n", "f").error);
  EXPECT_TRUE(parse_sudoers("a ALL = ^/usr/bin/[a-z]{1,32}(-[0-9]+)?$\n", "f").refused_regexes.empty());
}

// Issue #20 item 4: stacked '?', '*', '+' on an operand that matches the
// empty string make glibc's regcomp() exponential (measured: 6.5 s for the
// first one); every form of the class is refused before regcomp() sees it,
// in well under a second for all of them.
TEST(SudoersParser, StackedQuantifiersOnEmptyMatchingOperandsAreRefused) {
  const auto start = std::chrono::steady_clock::now();
  for (const char* re : {"^/usr/bin/a????+++++++$", "^/usr/bin/a????+++++++++$", "^((((((a?)+)+)+)+)+)+$",
                         "^(a?)?+++++$", "^(a|b?)?++++++$", "^a??????++++$", "^a?*?*?*?*++$", "^a{0,1}?{0,2}++++$"}) {
    const ParseResult r = parse_sudoers(std::string("a ALL = ") + re + "\n", "f");
    EXPECT_FALSE(r.error) << re;
    ASSERT_EQ(r.refused_regexes.size(), 1u) << re;
    EXPECT_NE(r.refused_regexes[0].message.find("stacked"), std::string::npos) << re;
  }
  for (const char* re : {"^/usr/bin/a?$", "^/usr/bin/(foo|bar)?$", "^/usr/bin/a*b+c?$", "^/usr/bin/a????+++$"}) {
    EXPECT_TRUE(parse_sudoers(std::string("a ALL = ") + re + "\n", "f").refused_regexes.empty()) << re;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

// The guard bounds one pattern, not a file: many patterns each under the
// bound made one 64 KiB input cost seconds (fuzz_sudoers). A budget is
// shared by the patterns of an input (of a tree, through the loader): past
// it, patterns are refused by line, and the check says it cannot evaluate
// the tree. Each pattern here is 706,000 steps of regcomp() work (1 ms),
// judged then compiled, against a budget of 40 M.
TEST(SudoersParser, RegexCompileBudgetBoundsAWholeFile) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "www-data ALL = ^/usr/bin/a" + std::to_string(i) + "(a?){1,200}$\n";
  const auto start = std::chrono::steady_clock::now();
  const ParseResult r = parse_sudoers(text, "f");
  EXPECT_FALSE(r.error);
  ASSERT_FALSE(r.refused_regexes.empty());
  EXPECT_GT(r.refused_regexes.front().line, 1);  // the first patterns fit in the budget
  EXPECT_NE(r.refused_regexes.front().message.find("budget"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // Ordinary patterns are far below it: 2,000 of them are all compiled.
  std::string plain;
  for (int i = 0; i < 2000; ++i) plain += "u" + std::to_string(i) + " ALL = ^/usr/bin/[a-z]{1,8}$\n";
  EXPECT_TRUE(parse_sudoers(plain, "f").refused_regexes.empty());
}

TEST(RegexCompileBudget, ChargesUntilSpent) {
  RegexCompileBudget budget(1000);
  EXPECT_FALSE(budget.charge("abc"));
  EXPECT_GT(regex_compile_cost("^/usr/bin/a0(a?){1,100}$"), 100000u);
  EXPECT_LT(regex_compile_cost("^/usr/bin/[a-z]{1,8}$"), 1000u);
  EXPECT_TRUE(budget.charge(std::string(200, 'a')));  // 200 nodes: 5,000 steps and more
  EXPECT_TRUE(budget.charge("a"));                    // spent: refused from then on
}

TEST(SudoersLexer, NulEndsTheLineAndNewlineIsAdded) {
  EXPECT_EQ(normalise_input(std::string("ab\0cd\nef", 8)), "ab\nef\n");
}

}  // namespace
}  // namespace clinic_audit::sudoers
