// sudo's decision for a user, host, runas user and command line: aliases,
// last match wins, negations, command globs, "" and directories.
#include "sudoers/sudoers_eval.hpp"

#include <gtest/gtest.h>

#include "fixture_root.hpp"

namespace clinic_audit::sudoers {
namespace {

std::string test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

const UserIdentity kWeb{"www-data", 33, {"www-data", "web"}, {33, 500}};
const UserIdentity kRoot{"root", 0, {"root"}, {0}};
const HostIdentity kHost{"cabinet", "cabinet.example.org", std::nullopt, true};

class SudoersEval : public ::testing::Test {
 protected:
  SudoersEval() : root_(testing::fixture_dir("sudoers-eval/" + test_name())) {}
  Decision decide(const std::string& sudoers, const std::string& path, std::optional<std::string> args = {},
                  const UserIdentity& target = kRoot) {
    root_.file("/etc/sudoers", sudoers, 0440);
    RootFs fs(root_.path());
    tree_ = load_sudoers(fs, "/etc/sudoers", {"cabinet", 4096, true});
    EXPECT_FALSE(tree_.error) << tree_.error->describe();
    const Evaluator ev(tree_);
    last_ = ev.lookup(kWeb, kHost, target, path, args);
    return last_.decision;
  }
  testing::FixtureRoot root_;
  SudoersTree tree_;
  LookupResult last_;
};

TEST_F(SudoersEval, LastMatchWinsAndNamesTheRule) {
  EXPECT_EQ(decide("www-data ALL = NOPASSWD: /bin/a\n\nwww-data ALL = !/bin/a\n", "/bin/a"), Decision::deny);
  ASSERT_TRUE(last_.rule);
  EXPECT_EQ(last_.rule->spec->line, 3);
  EXPECT_EQ(last_.rule->spec->file, "/etc/sudoers");
  EXPECT_EQ(decide("www-data ALL = !/bin/a, /bin/a\n", "/bin/a"), Decision::allow);
}

TEST_F(SudoersEval, NegatedUsersAndAliasesAndGroups) {
  EXPECT_EQ(decide("%web, !www-data ALL = /bin/a\n", "/bin/a"), Decision::unspecified);
  EXPECT_EQ(decide("User_Alias W = %web\nW ALL = /bin/a\n", "/bin/a"), Decision::allow);
  EXPECT_EQ(decide("User_Alias W = !www-data\nALL, W ALL = /bin/a\n", "/bin/a"), Decision::unspecified);
  EXPECT_EQ(decide("#33 ALL = /bin/a\n", "/bin/a"), Decision::allow);
  EXPECT_EQ(decide("%#500 ALL = /bin/a\n", "/bin/a"), Decision::allow);
  EXPECT_EQ(decide("Cmnd_Alias C = /bin/a, /bin/b\nwww-data ALL = ALL, !C\n", "/bin/b"), Decision::deny);
  EXPECT_EQ(*last_.rule->via_aliases, std::vector<std::string>{"C"});
}

TEST_F(SudoersEval, HostsAndRunas) {
  EXPECT_EQ(decide("www-data cabinet = /bin/a\n", "/bin/a"), Decision::allow);
  EXPECT_EQ(decide("www-data CABINET.example.org = /bin/a\n", "/bin/a"), Decision::allow);
  EXPECT_EQ(decide("www-data other, !cabinet = /bin/a\n", "/bin/a"), Decision::unspecified);
  EXPECT_EQ(decide("www-data ALL = (postgres) /bin/a\n", "/bin/a"), Decision::unspecified);
  EXPECT_EQ(decide("www-data ALL = (ALL, !root) /bin/a\n", "/bin/a"), Decision::unspecified);
  EXPECT_EQ(decide("www-data ALL = () /bin/a\n", "/bin/a", {}, kWeb), Decision::allow);
}

TEST_F(SudoersEval, CommandGlobsArgumentsAndDirectories) {
  // sudoers(5): a wildcard in the path does not match '/'; in the arguments it matches anything.
  EXPECT_EQ(decide("www-data ALL = /usr/bin/*\n", "/usr/bin/id"), Decision::allow);
  EXPECT_EQ(decide("www-data ALL = /usr/bin/*\n", "/usr/bin/sub/id"), Decision::unspecified);
  EXPECT_EQ(decide("www-data ALL = /usr/sbin/service compagnonApicrypt *\n", "/usr/sbin/service",
                   std::string("compagnonApicrypt stop; /bin/sh")),
            Decision::allow);
  EXPECT_EQ(decide("www-data ALL = /usr/sbin/service compagnonApicrypt *\n", "/usr/sbin/service",
                   std::string("apache2 stop")),
            Decision::unspecified);
  EXPECT_EQ(decide("www-data ALL = /bin/ls \"\"\n", "/bin/ls"), Decision::allow);
  EXPECT_EQ(decide("www-data ALL = /bin/ls \"\"\n", "/bin/ls", std::string("-l")), Decision::unspecified);
  EXPECT_EQ(decide("www-data ALL = /bin/ls\n", "/bin/ls", std::string("-l /root")), Decision::allow);
  EXPECT_EQ(decide("www-data ALL = /usr/bin/\n", "/usr/bin/id"), Decision::allow);
  EXPECT_EQ(decide("www-data ALL = /usr/bin/\n", "/usr/bin/x/id"), Decision::unspecified);
  EXPECT_EQ(decide("www-data ALL = ^/usr/bin/(id|ls)$\n", "/usr/bin/ls"), Decision::allow);
  EXPECT_EQ(decide("www-data ALL = sudoedit /etc/hosts\n", "sudoedit", std::string("/etc/hosts")), Decision::allow);
}

TEST_F(SudoersEval, CommandsForListsLeavesInOrder) {
  root_.file("/etc/sudoers", "Cmnd_Alias A = /a, !/b\nwww-data ALL = NOPASSWD: A, /c\nalice ALL = /d\n", 0440);
  RootFs fs(root_.path());
  const SudoersTree tree = load_sudoers(fs, "/etc/sudoers", {"cabinet", 4096, true});
  const auto leaves = Evaluator(tree).commands_for(kWeb, kHost);
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[0].command->command(), "/a");
  EXPECT_TRUE(leaves[1].negated);
  EXPECT_EQ(leaves[2].command->command(), "/c");
  EXPECT_EQ(leaves[2].command_spec->tags.nopasswd, Tags::on);
}

}  // namespace
}  // namespace clinic_audit::sudoers
