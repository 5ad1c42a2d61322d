// passwd(5) / group(5) parsing and the lookups built on it.
#include "accounts.hpp"

#include <gtest/gtest.h>

#include "context.hpp"
#include "fixture_root.hpp"
#include "root_fs.hpp"

namespace clinic_audit {
namespace {

std::string issue_text(const std::vector<AccountsParseIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += i.file + ":" + std::to_string(i.line) + ": " + i.message + "\n";
  return out;
}

TEST(ParsePasswd, Fields) {
  std::vector<AccountsParseIssue> issues;
  const auto users = parse_passwd("root:x:0:0:root:/root:/bin/bash\n"
                                  "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
                                  "nobody:x:65534:65534:nobody:/nonexistent:\n",
                                  &issues);
  EXPECT_TRUE(issues.empty()) << issue_text(issues);
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0].name, "root");
  EXPECT_EQ(users[0].uid, 0u);
  EXPECT_EQ(users[0].gid, 0u);
  EXPECT_EQ(users[0].home, "/root");
  EXPECT_EQ(users[0].shell, "/bin/bash");
  EXPECT_EQ(users[0].line, 1);
  EXPECT_EQ(users[1].name, "www-data");
  EXPECT_EQ(users[1].uid, 33u);
  EXPECT_EQ(users[1].gid, 33u);
  EXPECT_EQ(users[1].home, "/var/www");
  EXPECT_EQ(users[1].shell, "/usr/sbin/nologin");
  EXPECT_EQ(users[1].line, 2);
  EXPECT_EQ(users[2].uid, 65534u);
  EXPECT_EQ(users[2].shell, "");
  EXPECT_EQ(users[2].line, 3);
}

TEST(ParsePasswd, MalformedLinesAreReportedWithTheirLineNumbers) {
  std::vector<AccountsParseIssue> issues;
  const auto users = parse_passwd("root:x:0:0:root:/root:/bin/bash\n"     // 1
                                  "# a comment\n"                         // 2
                                  "\n"                                    // 3
                                  "short:x:1:1\n"                         // 4
                                  "long:x:1:1:a:b:c:d\n"                  // 5
                                  ":x:5:5::/:/bin/sh\n"                   // 6 empty name
                                  "baduid:x:abc:5::/:/bin/sh\n"           // 7
                                  "neg:x:-1:5::/:/bin/sh\n"               // 8
                                  "big:x:4294967296:5::/:/bin/sh\n"       // 9 over 32 bits
                                  "space:x: 7:5::/:/bin/sh\n"             // 10
                                  "nogid:x:7:::/:/bin/sh\n"               // 11
                                  "+nisuser::::::\n"                      // 12 NIS compat: not an account
                                  "-excluded::::::\n"                     // 13
                                  "ok:x:4294967295:7::/home/ok:/bin/sh",  // 14, no final newline
                                  &issues, "/etc/passwd");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "root");
  EXPECT_EQ(users[1].name, "ok");
  EXPECT_EQ(users[1].uid, 4294967295u);
  EXPECT_EQ(users[1].line, 14);
  EXPECT_EQ(issue_text(issues), "/etc/passwd:4: expected 7 ':'-separated fields, found 4\n"
                                "/etc/passwd:5: expected 7 ':'-separated fields, found 8\n"
                                "/etc/passwd:6: bad user name, uid or gid\n"
                                "/etc/passwd:7: bad user name, uid or gid\n"
                                "/etc/passwd:8: bad user name, uid or gid\n"
                                "/etc/passwd:9: bad user name, uid or gid\n"
                                "/etc/passwd:10: bad user name, uid or gid\n"
                                "/etc/passwd:11: bad user name, uid or gid\n");
}

TEST(ParsePasswd, CrlfLineEndings) {
  std::vector<AccountsParseIssue> issues;
  const auto users = parse_passwd("root:x:0:0:root:/root:/bin/bash\r\nalice:x:1000:1000::/home/alice:/bin/sh\r\n",
                                  &issues, "/x/passwd");
  EXPECT_TRUE(issues.empty()) << issue_text(issues);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].shell, "/bin/bash");
  EXPECT_EQ(users[1].shell, "/bin/sh");
  EXPECT_EQ(users[1].line, 2);
}

TEST(ParsePasswd, IssuesMayBeIgnored) {
  const auto users = parse_passwd("bad\nroot:x:0:0::/root:/bin/sh\n", nullptr);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].line, 2);
  EXPECT_TRUE(parse_passwd("", nullptr).empty());
}

TEST(ParseGroup, FieldsAndMembers) {
  std::vector<AccountsParseIssue> issues;
  const auto groups = parse_group("root:x:0:\n"
                                  "sudo:x:27:alice,bob\n"
                                  "adm:x:4:,syslog,,alice,\r\n"
                                  "www-data:x:33:\n",
                                  &issues);
  EXPECT_TRUE(issues.empty()) << issue_text(issues);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].name, "root");
  EXPECT_EQ(groups[0].gid, 0u);
  EXPECT_TRUE(groups[0].members.empty());
  EXPECT_EQ(groups[1].members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(groups[1].line, 2);
  EXPECT_EQ(groups[2].members, (std::vector<std::string>{"syslog", "alice"}));
  EXPECT_EQ(groups[3].gid, 33u);
  EXPECT_EQ(groups[3].line, 4);
}

TEST(ParseGroup, MalformedLines) {
  std::vector<AccountsParseIssue> issues;
  const auto groups = parse_group("root:x:0:\n"    // 1
                                  "three:x:3\n"    // 2
                                  "five:x:5::x\n"  // 3
                                  ":x:6:\n"        // 4
                                  "g:x:six:\n"     // 5
                                  "+nis::::\n"     // 6
                                  "#c\n"           // 7
                                  "ok:x:7:a\n",    // 8
                                  &issues, "/etc/group");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].name, "ok");
  EXPECT_EQ(groups[1].line, 8);
  EXPECT_EQ(issue_text(issues), "/etc/group:2: expected 4 ':'-separated fields, found 3\n"
                                "/etc/group:3: expected 4 ':'-separated fields, found 5\n"
                                "/etc/group:4: bad group name or gid\n"
                                "/etc/group:5: bad group name or gid\n");
}

Accounts sample() {
  return Accounts(parse_passwd("root:x:0:0::/root:/bin/sh\n"
                               "toor:x:0:0::/root:/bin/sh\n"
                               "www-data:x:33:33::/var/www:/usr/sbin/nologin\n"
                               "alice:x:1000:1000::/home/alice:/bin/bash\n"
                               "alice:x:1001:1001::/home/alice2:/bin/bash\n"
                               "bob:x:1002:27::/home/bob:/bin/bash\n",
                               nullptr),
                  parse_group("root:x:0:\n"
                              "sudo:x:27:alice\n"
                              "adm:x:4:syslog,alice\n"
                              "www-data:x:33:alice,bob\n"
                              "alice:x:1000:\n"
                              "alice:x:1500:bob\n"
                              "staff:x:50:bob,bob\n"
                              "again:x:4:bob\n",
                              nullptr));
}

TEST(Accounts, FirstEntryWinsForDuplicateNamesAndIds) {
  const Accounts accounts = sample();
  ASSERT_NE(accounts.user("alice"), nullptr);
  EXPECT_EQ(accounts.user("alice")->uid, 1000u);
  EXPECT_EQ(accounts.user("alice")->line, 4);
  ASSERT_NE(accounts.user(0u), nullptr);
  EXPECT_EQ(accounts.user(0u)->name, "root");
  EXPECT_EQ(accounts.user_name(0), "root");
  EXPECT_EQ(accounts.user("toor")->uid, 0u);
  EXPECT_EQ(accounts.group("alice")->gid, 1000u);
  EXPECT_EQ(accounts.group(4u)->name, "adm");
  EXPECT_EQ(accounts.group_name(4), "adm");
  EXPECT_EQ(accounts.user("nobody"), nullptr);
  EXPECT_EQ(accounts.user(4242u), nullptr);
  EXPECT_EQ(accounts.group("nogroup"), nullptr);
  EXPECT_EQ(accounts.group(4242u), nullptr);
  EXPECT_EQ(accounts.user_name(4242), "4242");
  EXPECT_EQ(accounts.group_name(4242), "4242");
}

TEST(Accounts, GroupsOfIsPrimaryThenMembershipsWithoutDuplicates) {
  const Accounts accounts = sample();
  EXPECT_EQ(accounts.groups_of(*accounts.user("alice")), (std::vector<gid_t>{1000, 27, 4, 33}));
  // bob: primary 27 (not listed as a member), www-data, a second "alice"
  // group (by gid), staff once, and gid 4 again under another name.
  EXPECT_EQ(accounts.groups_of(*accounts.user("bob")), (std::vector<gid_t>{27, 33, 1500, 50, 4}));
  EXPECT_EQ(accounts.groups_of(*accounts.user("www-data")), (std::vector<gid_t>{33}));
  EXPECT_EQ(accounts.groups_of(*accounts.user("root")), (std::vector<gid_t>{0}));
}

TEST(Accounts, LoadReadsTheRootsFilesAndKeepsIssues) {
  testing::FixtureRoot root(testing::fixture_dir("common/Accounts.Load"));
  root.file("/etc/passwd", "root:x:0:0::/root:/bin/sh\nbroken\nwww-data:x:33:33::/var/www:/bin/false\n");
  root.file("/etc/group", "root:x:0:\nwww-data:x:33:\nbad:x:y:\n");
  RootFs fs(root.path());
  const Accounts accounts = Accounts::load(fs);
  EXPECT_EQ(accounts.user("www-data")->uid, 33u);
  EXPECT_EQ(accounts.group(33u)->name, "www-data");
  ASSERT_EQ(accounts.issues().size(), 2u);
  EXPECT_EQ(issue_text(accounts.issues()), "/etc/passwd:2: expected 7 ':'-separated fields, found 1\n"
                                           "/etc/group:3: bad group name or gid\n");
}

TEST(Accounts, LoadWithoutGroupFileThrows) {
  testing::FixtureRoot root(testing::fixture_dir("common/Accounts.LoadMissing"));
  root.file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  RootFs fs(root.path());
  try {
    Accounts::load(fs);
    ADD_FAILURE() << "no error for a missing /etc/group";
  } catch (const FsError& e) {
    EXPECT_EQ(e.path(), "/etc/group");
    EXPECT_EQ(e.error_number(), ENOENT);
  }
}

TEST(Context, LoadsAccountsOnceAndRetriesAfterAFailure) {
  testing::FixtureRoot root(testing::fixture_dir("common/Context.Accounts"));
  root.file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  RootFs fs(root.path());
  ProcessRunner runner;
  const Context context(fs, runner, NetworkSettings{});
  EXPECT_FALSE(context.live());
  EXPECT_EQ(&context.fs(), &fs);
  EXPECT_EQ(&context.commands(), &runner);
  EXPECT_FALSE(context.network().offline);
  // /etc/group missing: an error now, not a cached empty account list.
  EXPECT_THROW(context.accounts(), FsError);
  root.file("/etc/group", "root:x:0:\n");
  EXPECT_EQ(context.accounts().user("root")->uid, 0u);
  // Loaded once: later changes to the files are not seen within a run.
  root.file("/etc/passwd", "admin:x:0:0::/root:/bin/sh\n");
  EXPECT_NE(context.accounts().user("root"), nullptr);
  EXPECT_EQ(&context.accounts(), &context.accounts());
}

}  // namespace
}  // namespace clinic_audit
