// foreach, lists and policy-level applies-if (issue #19 item 2): what a
// foreach expands to, and every bad foreach as an error naming file and line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/root_fs.hpp"
#include "config/site_config.hpp"
#include "engine/plan.hpp"
#include "fixture_root.hpp"
#include "policy/foreach.hpp"
#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"

namespace clinic_audit {
namespace {

using testing::source_dir;

std::filesystem::path xsd() { return source_dir() / "policies" / "policy.xsd"; }

// A policy document: `body` goes after the title and description (line 5 on).
std::string policy(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"t\" version=\"1\">\n"
         "  <title>t</title>\n"
         "  <description>t</description>\n" +
         body + "</policy>\n";
}

const std::string kList = "  <list name=\"bins\">\n"  // line 5
                          "    <item>one</item>\n"
                          "    <item>two</item>\n"
                          "  </list>\n";

std::string check(const std::string& attributes, const std::string& params) {
  return "  <check " + attributes +
         " type=\"file\" severity=\"low\">\n"
         "    <title>T ${b}</title>\n"
         "    <rationale>R ${b}</rationale>\n"
         "    <remediation><command>chmod 0755 ${b}</command><note>N ${b} $${b}</note></remediation>\n"
         "    <reference seed=\"s\" section=\"s\"/>\n" +
         params + "  </check>\n";
}

// The errors parse_policy reports, one "line: message" a line.
std::string load_errors(const std::string& text) {
  try {
    parse_policy(text, "t.xml", xsd());
  } catch (const LoadFailure& e) {
    std::string out;
    for (const auto& error : e.errors()) {
      EXPECT_EQ(error.file, "t.xml");
      out += std::to_string(error.line) + ": " + error.message + "\n";
    }
    return out;
  }
  return "";
}

TEST(Foreach, SubstitutesOnlyItsVariable) {
  EXPECT_EQ(substitute_loop_variable("${b}/${bx}/${ehr}/$${b}/${b", "b", "v"), "v/${bx}/${ehr}/$${b}/${b");
  EXPECT_EQ(substitute_loop_variable("${b}${b}", "b", "xy"), "xyxy");
  EXPECT_EQ(substitute_loop_variable("", "b", "v"), "");
}

TEST(Foreach, CheckAndParamExpandInListOrder) {
  const std::string text =
      policy(kList + check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"",
                           "    <param name=\"path\">/x/${b}</param>\n"
                           "    <param name=\"mode\" foreach=\"c\" in=\"bins\">${b}:${c}</param>\n"));
  const Policy p = parse_policy(text, "t.xml", xsd());
  ASSERT_EQ(p.lists.size(), 1u);
  EXPECT_EQ(p.lists[0].items, (std::vector<std::string>{"one", "two"}));
  ASSERT_EQ(p.checks.size(), 2u);
  EXPECT_EQ(p.checks[0].id, "t.one");
  EXPECT_EQ(p.checks[1].id, "t.two");
  EXPECT_EQ(p.checks[1].title, "T two");
  EXPECT_EQ(p.checks[1].rationale, "R two");
  EXPECT_EQ(p.checks[1].remediation, "N two $${b}");  // $${ stays a literal for the plan
  ASSERT_EQ(p.checks[1].remediation_commands.size(), 1u);
  EXPECT_EQ(p.checks[1].remediation_commands[0].text, "chmod 0755 two");
  EXPECT_EQ(p.checks[0].line, 9);
  ASSERT_EQ(p.checks[1].params.size(), 3u);
  EXPECT_EQ(p.checks[1].params[0].value, "/x/two");
  EXPECT_EQ(p.checks[1].params[1].name, "mode");
  EXPECT_EQ(p.checks[1].params[1].value, "two:one");
  EXPECT_EQ(p.checks[1].params[2].value, "two:two");
  EXPECT_EQ(p.checks[1].params[2].line, 15);
}

TEST(Foreach, UnknownListNamesFileAndLine) {
  EXPECT_EQ(load_errors(policy(kList + check("id=\"t.${b}\" foreach=\"b\" in=\"nope\"", ""))),
            "9: foreach over unknown list 'nope' (lists of this policy: bins)\n");
  EXPECT_EQ(load_errors(
                policy(check("id=\"t\"", "    <param name=\"path\" foreach=\"b\" in=\"nope\">/${b}</param>\n"))),
            "10: foreach over unknown list 'nope' (lists of this policy: none)\n");
}

TEST(Foreach, EmptyListIsASchemaErrorAtItsLine) {
  const std::string errors =
      load_errors(policy("  <list name=\"bins\">\n  </list>\n" + check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"", "")));
  EXPECT_EQ(errors.rfind("5: Element 'list': Missing child element(s).", 0), 0u) << errors;
}

TEST(Foreach, ItemsArePlainWords) {
  for (const char* item : {"a b", "$x", "a'b", "a;b", "${x}", "a*"}) {
    const std::string errors =
        load_errors(policy(std::string("  <list name=\"bins\">\n    <item>") + item + "</item>\n  </list>\n"));
    EXPECT_EQ(errors.rfind("6: Element 'item':", 0), 0u) << item << ": " << errors;
  }
}

TEST(Foreach, DuplicateExpandedIdNamesBothLines) {
  // A repeated item.
  EXPECT_EQ(load_errors(policy("  <list name=\"bins\">\n    <item>one</item>\n    <item>one</item>\n  </list>\n" +
                               check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"", ""))),
            "9: foreach over list 'bins' gives check id 't.one' twice (also the check at line 9)\n");
  // An id without the loop variable.
  EXPECT_EQ(load_errors(policy(kList + check("id=\"t.x\" foreach=\"b\" in=\"bins\"", ""))),
            "9: foreach over list 'bins' gives check id 't.x' twice (also the check at line 9)\n");
  // An id another check already has.
  EXPECT_EQ(load_errors(
                policy(kList + check("id=\"t.two\"", "") + check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"", ""))),
            "15: foreach over list 'bins' gives check id 't.two' twice (also the check at line 9)\n");
}

TEST(Foreach, ExpandedIdMustBeAnIdentifier) {
  EXPECT_EQ(load_errors(policy("  <list name=\"bins\">\n    <item>One</item>\n  </list>\n" +
                               check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"", ""))),
            "8: foreach over list 'bins' gives check id 't.One', not an identifier ([a-z0-9][a-z0-9._-]*, at "
            "most 128 characters)\n");
}

TEST(Foreach, MisusedAttributesAreErrors) {
  EXPECT_EQ(load_errors(policy(kList + check("id=\"t.${b}\"", ""))),
            "9: check id 't.${b}' holds a ${...} but the check has no foreach\n");
  EXPECT_EQ(load_errors(policy(kList + check("id=\"t.${b}\" foreach=\"b\"", ""))),
            "9: foreach=\"VARIABLE\" and in=\"LIST\" go together\n");
  EXPECT_EQ(load_errors(policy("  <variable name=\"b\" default=\"x\"/>\n" + kList +
                               check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"", ""))),
            "10: foreach variable 'b' is also a variable of this policy (line 5): choose another name\n");
  EXPECT_EQ(load_errors(policy(kList + check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"",
                                             "    <param name=\"p\" foreach=\"b\" in=\"bins\">${b}</param>\n"))),
            "14: foreach variable 'b' is already the check's (line 9): choose another name\n");
  EXPECT_EQ(load_errors(policy("  <variable name=\"bins\" default=\"x\"/>\n" + kList)),
            "6: list 'bins' has the name of a variable of this policy\n");
}

// 1024 items (the schema's maximum) times a 20 KiB rationale, and 1024 x
// 1024 parameters: both past the 16 MiB bound, refused at once.
TEST(Foreach, ExpansionBombIsCapped) {
  std::string items;
  for (int i = 0; i < 1024; ++i) items += "<item>i" + std::to_string(i) + "</item>";
  const std::string list = "  <list name=\"bins\">" + items + "</list>\n";  // line 5
  const std::string big(20 * 1024, 'x');
  const auto start = std::chrono::steady_clock::now();
  std::string errors = load_errors(policy(list +
                                          "  <check id=\"t.${b}\" foreach=\"b\" in=\"bins\" type=\"file\" "
                                          "severity=\"low\"><title>t</title><rationale>" +
                                          big +
                                          "</rationale><remediation>r</remediation><reference seed=\"s\" "
                                          "section=\"s\"/></check>\n"));
  EXPECT_EQ(errors, "6: foreach over list 'bins' makes the policy's expanded checks exceed 16777216 bytes: refused\n");
  errors = load_errors(policy(list + check("id=\"t.${b}\" foreach=\"b\" in=\"bins\"",
                                           "    <param name=\"p\" foreach=\"c\" in=\"bins\">${b}${c}</param>\n")));
  EXPECT_EQ(errors, "6: foreach over list 'bins' makes the policy's expanded checks exceed 16777216 bytes: refused\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// Plans `text` with every ${b} (of check()) made plain text.
Plan plan_of(std::string text, const std::filesystem::path& root_dir) {
  for (auto at = text.find("${b}"); at != std::string::npos; at = text.find("${b}")) text.replace(at, 4, "x");
  std::vector<Policy> policies;
  policies.push_back(parse_policy(text, "t.xml", xsd()));
  RootFs fs(root_dir);
  return build_plan(std::move(policies), SiteConfig{}, fs);
}

TEST(PolicyAppliesIf, FalseConditionMakesEveryCheckNotApplicable) {
  const auto dir = testing::fixture_dir("empty");
  std::filesystem::create_directories(dir);
  const std::string head = "  <variable name=\"v\" default=\"1\"/>\n  <applies-if variable=\"v\" equals=\"2\"/>\n";
  Plan plan = plan_of(policy(head + check("id=\"a\"", "    <param name=\"path\">/a</param>\n") +
                             check("id=\"b\"", "    <applies-if variable=\"v\" equals=\"1\"/>\n"
                                               "    <param name=\"path\">/b</param>\n")),
                      dir);
  ASSERT_EQ(plan.checks.size(), 2u);
  for (const auto& planned : plan.checks) {
    ASSERT_TRUE(planned.not_applicable_reason.has_value()) << planned.decl->id;
    EXPECT_EQ(*planned.not_applicable_reason, "applies only when v = 2 (it is '1', default)");
    EXPECT_EQ(planned.check, nullptr);
  }
  plan = plan_of(policy("  <variable name=\"v\" default=\"2\"/>\n  <applies-if variable=\"v\" equals=\"2\"/>\n" +
                        check("id=\"a\"", "    <param name=\"path\">/a</param>\n")),
                 dir);
  EXPECT_FALSE(plan.checks.at(0).not_applicable_reason.has_value());
  EXPECT_NE(plan.checks.at(0).check, nullptr);
}

TEST(PolicyAppliesIf, UndeclaredVariableIsOneErrorAtItsLine) {
  const auto dir = testing::fixture_dir("empty");
  std::filesystem::create_directories(dir);
  try {
    plan_of(policy("  <applies-if variable=\"nope\" equals=\"2\"/>\n" +
                   check("id=\"a\"", "    <param name=\"path\">/a</param>\n") +
                   check("id=\"b\"", "    <param name=\"path\">/b</param>\n")),
            dir);
    FAIL() << "no error";
  } catch (const LoadFailure& e) {
    ASSERT_EQ(e.errors().size(), 1u) << e.what();
    EXPECT_EQ(e.errors()[0].file, "t.xml");
    EXPECT_EQ(e.errors()[0].line, 5);
    EXPECT_EQ(e.errors()[0].message, "applies-if names undeclared variable 'nope'");
  }
}

TEST(PolicyAppliesIf, ComesBeforeTheChecks) {
  const std::string errors =
      load_errors(policy(check("id=\"a\"", "") + "  <applies-if variable=\"v\" equals=\"2\"/>\n"));
  EXPECT_EQ(errors.rfind("11: Element 'applies-if': This element is not expected.", 0), 0u) << errors;
}

}  // namespace
}  // namespace clinic_audit
