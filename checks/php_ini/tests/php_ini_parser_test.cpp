// PHP INI semantics, one rule a test (the differential test checks the same
// rules against php itself over many more files).
#include "php_ini/php_ini_parser.hpp"

#include <gtest/gtest.h>

namespace clinic_audit::php {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps its NUL bytes

std::optional<std::string> value_of(const IniFile& f, const std::string& key) {
  std::optional<std::string> v;
  for (const auto& e : f.entries) {
    if (e.key == key && !e.offset && !e.special_section) v = e.value;
  }
  return v;
}

TEST(PhpIniParser, UnquotedValueEndsAtSemicolonAndKeepsInnerBlanks) {
  const auto f = parse_php_ini("sys_temp_dir =  /var/tmp  dir  ; comment\n");
  EXPECT_EQ(value_of(f, "sys_temp_dir"), "/var/tmp  dir");
  EXPECT_EQ(f.entries.at(0).line, 1);
}

TEST(PhpIniParser, HashIsNotAComment) {
  const auto f = parse_php_ini("#sys_temp_dir = /x\nsys_temp_dir = /a # b\n");
  EXPECT_EQ(value_of(f, "#sys_temp_dir"), "/x");
  EXPECT_EQ(value_of(f, "sys_temp_dir"), "/a # b");
}

TEST(PhpIniParser, QuotesJoinAndExpand) {
  const auto f = parse_php_ini("a = /base\nb = \"${a};x\" '${a}' tail\n",
                               [](std::string_view) -> std::optional<std::string> { return std::nullopt; });
  EXPECT_EQ(value_of(f, "b"), "/base;x${a} tail");
}

TEST(PhpIniParser, EnvironmentLookupAndUnresolved) {
  const auto f = parse_php_ini("x = ${HOME}/t\ny = ${NOPE}\n", [](std::string_view n) -> std::optional<std::string> {
    if (n == "HOME") return "/root";
    return std::nullopt;
  });
  EXPECT_EQ(value_of(f, "x"), "/root/t");
  EXPECT_EQ(value_of(f, "y"), "");
  EXPECT_EQ(f.entries.at(1).unresolved, std::vector<std::string>{"NOPE"});
}

TEST(PhpIniParser, BooleansAndExpressions) {
  const auto f = parse_php_ini("a = On\nb = none\nc = \"off\"\nd = E_ALL & ~E_DEPRECATED & ~E_STRICT\ne = (1|2)^1\n");
  EXPECT_EQ(value_of(f, "a"), "1");
  EXPECT_EQ(value_of(f, "b"), "");
  EXPECT_EQ(value_of(f, "c"), "off");
  EXPECT_EQ(value_of(f, "d"), "22527");
  EXPECT_EQ(value_of(f, "e"), "2");
}

TEST(PhpIniParser, KeysAreCaseSensitive) {
  const auto f = parse_php_ini("SYS_TEMP_DIR = /x\n");
  EXPECT_FALSE(value_of(f, "sys_temp_dir"));
}

TEST(PhpIniParser, PathAndHostSectionsAreSpecialToTheEnd) {
  const auto f = parse_php_ini("a = 1\n[PATH=/var/www]\na = 2\n[PHP]\na = 3\n");
  EXPECT_EQ(value_of(f, "a"), "1");
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[2].special_section, "PATH=/var/www");
}

TEST(PhpIniParser, OffsetsForFpmPools) {
  const auto f = parse_php_ini("[www]\nphp_admin_value[sys_temp_dir] = /srv/tmp\n");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].key, "php_admin_value");
  EXPECT_EQ(f.entries[0].offset, "sys_temp_dir");
  EXPECT_EQ(f.entries[0].section, "www");
}

TEST(PhpIniParser, SyntaxErrorStopsTheFileButKeepsEarlierEntries) {
  const auto f = parse_php_ini("a = 1\nb = \"open\nc = 3\n");
  EXPECT_EQ(value_of(f, "a"), "1");
  EXPECT_FALSE(value_of(f, "c"));
  ASSERT_TRUE(f.error);
}

TEST(PhpIniParser, HostileInputTerminates) {
  const auto f = parse_php_ini("a = " + std::string(20000, '(') + "\n");
  EXPECT_TRUE(f.error);
  const auto t = parse_php_ini("a = " + std::string(20000, '~') + "1\n");
  EXPECT_TRUE(t.error);
  const auto g = parse_php_ini(std::string(1 << 20, '"'));
  EXPECT_TRUE(g.error);
}

// Classes found by comparing generated files with php 8.2 (the differential
// corpus keeps one file per class).
TEST(PhpIniParser, BomNulAndDollarPairs) {
  EXPECT_EQ(value_of(parse_php_ini("\xEF\xBB\xBF"
                                   "a = 1\n"),
                     "a"),
            "1");
  const auto nul = parse_php_ini("a = x \0 b = 2\nc = 3\n"s);
  EXPECT_EQ(value_of(nul, "a"), "x ");
  EXPECT_EQ(value_of(nul, "b"), "2");
  EXPECT_EQ(value_of(nul, "c"), "3");
  const auto dollar = parse_php_ini("a = x$;y\nb = /p$\nc = 1\n");
  EXPECT_EQ(value_of(dollar, "a"), "x$;y");
  EXPECT_FALSE(value_of(dollar, "c")) << "the '$' joined line 3 to b's value, then '=' is an error";
  EXPECT_TRUE(dollar.error);
}

TEST(PhpIniParser, UnterminatedSingleQuoteEndsTheFile) {
  const auto f = parse_php_ini("a = x 'open\nb = 2\n");
  EXPECT_EQ(value_of(f, "a"), "x ");
  EXPECT_FALSE(value_of(f, "b"));
  EXPECT_FALSE(f.error);
  EXPECT_TRUE(parse_php_ini("a = 'open\n").error);
}

TEST(PhpIniParser, BooleanAtStatementStartAndAsOperand) {
  EXPECT_TRUE(parse_php_ini("off = 1\n").error);
  EXPECT_FALSE(parse_php_ini(" off = 1\n").error);
  EXPECT_FALSE(parse_php_ini("off[x] = 1\n").error);
  const auto f = parse_php_ini("a = off ^ 1\n");
  EXPECT_TRUE(f.error);
  EXPECT_EQ(value_of(f, "a"), "");
}

TEST(PhpIniParser, StartupConstantsAndTheBuild) {
  IniParseOptions options;
  options.constants = [](std::string_view name) { return startup_constant(name, PhpBuild{"8.2", "fpm"}); };
  const auto f =
      parse_php_ini("a = PHP_SAPI\nb = ZEND_THREAD_SAFE\nc = PHP_VERSION\nd = M_PI\ne = PHP_EXTENSION_DIR\n", options);
  EXPECT_EQ(value_of(f, "a"), "fpm-fcgi");
  EXPECT_EQ(value_of(f, "b"), "");
  EXPECT_EQ(value_of(f, "c"), "PHP_VERSION");
  EXPECT_EQ(f.entries.at(2).unknown_constants, std::vector<std::string>{"PHP_VERSION"});
  EXPECT_EQ(value_of(f, "d"), "M_PI");
  EXPECT_EQ(value_of(f, "e"), "/usr/lib/php/20220829");
}

TEST(PhpIniParser, ExpansionBudgetAbandonsTheFile) {
  std::string bomb = "v0 = xxxxxxxxxxxxxxxx\n";
  for (int i = 1; i <= 40; ++i) {
    bomb += "v" + std::to_string(i) + " = ${v" + std::to_string(i - 1) + "}${v" + std::to_string(i - 1) + "}\n";
  }
  IniParseOptions options;
  options.expansion_budget = 1 << 16;
  const auto f = parse_php_ini(bomb, options);
  ASSERT_TRUE(f.limit);
  EXPECT_LE(f.expanded_bytes, (1u << 17));
}

}  // namespace
}  // namespace clinic_audit::php
