// Over 400 lines: one test per fixture root of tests/fixtures/sudoers/roots,
// statuses and evidence exact; the fixtures are the reading order.
// The `sudoers` check on fixture roots (tests/fixtures/sudoers/roots): the
// seed's Apicrypt grants (seed 004, "Mise en œuvre des binaires Apicrypt"),
// and each way a real machine gets them wrong. Statuses and evidence exact.
#include "sudoers/sudoers_check.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>

#include "common/command_runner.hpp"
#include "check_test_helpers.hpp"
#include "fixture_root.hpp"

namespace clinic_audit {
namespace {

using testing::FixtureRoot;

const char* const kBin = "/home/EHR/apicrypt/bin/";

using testing::params;
using testing::test_name;

Params grants_params() {
  Params p = params({{"user", "www-data"}, {"fix_file", "/etc/sudoers.d/apicrypt"}});
  for (const char* b : {"apicrypt", "apicryptpj", "apiuncrypt", "apiuncryptpj"})
    p.add("require", std::string(kBin) + b);
  return p;
}

Params broader_params() {
  Params p = params({{"user", "www-data"}, {"forbid_broader", "true"}});
  for (const char* b : {"apicrypt", "apicryptpj", "apiuncrypt", "apiuncryptpj"}) p.add("allow", std::string(kBin) + b);
  return p;
}

class SudoersCheckTest : public ::testing::Test {
 protected:
  SudoersCheckTest() : root_(testing::fixture_dir("sudoers/" + test_name())) {
    root_.debian_accounts();
    scenario("base");
  }
  void scenario(const std::string& name) {
    root_.apply_manifest(testing::source_dir() / "tests/fixtures/sudoers/roots" / (name + ".manifest"));
  }
  Outcome run(const Params& p) {
    RootFs fs(root_.path());
    ProcessRunner runner;
    Context context(fs, runner, NetworkSettings{});
    const auto check = sudoers_check_type().create(p);
    EXPECT_TRUE(p.unread().empty()) << "parameter not read: " << p.unread().front();
    return check->run(context);
  }
  static const Evidence* find(const Outcome& o, const std::string& path, const std::string& needle) {
    for (const auto& e : o.evidence) {
      if (e.path == path && e.observed.find(needle) != std::string::npos) return &e;
    }
    return nullptr;
  }
  FixtureRoot root_;
};

TEST_F(SudoersCheckTest, CompliantGrantsPass) {
  scenario("compliant");
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_EQ(o.summary, "all 4 required grants to www-data are in effect");
  const Evidence* e =
      find(o, "/etc/sudoers.d/apicrypt", "granted by www-data ALL=(ALL) NOPASSWD: /home/EHR/apicrypt/bin/apiuncryptpj");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->line, 4);
  EXPECT_EQ(run(broader_params()).status, Status::pass);
}

TEST_F(SudoersCheckTest, GrantsInSkippedConfFileFail) {
  scenario("skipped_conf");
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "4 of 4 required grants to www-data are not in effect");
  const Evidence* ignored = find(o, "/etc/sudoers.d/apicrypt.conf", "sudo skips this file silently: name contains '.'");
  ASSERT_NE(ignored, nullptr);
  EXPECT_EQ(ignored->observed,
            "sudo skips this file silently: name contains '.' or ends in '~': sudo skips it in an @includedir "
            "(included from /etc/sudoers:54)");
  EXPECT_NE(find(o, "/etc/sudoers", "no rule lets www-data run /home/EHR/apicrypt/bin/apicrypt without arguments"),
            nullptr);
  ASSERT_FALSE(o.remediation_commands.empty());
  EXPECT_EQ(o.remediation_commands.front(),
            "[ -e /etc/sudoers.d/apicrypt ] || install -m 0440 -o root -g root /dev/null /etc/sudoers.d/apicrypt");
  EXPECT_EQ(o.remediation_commands.back(), "visudo -c -f /etc/sudoers.d/apicrypt");
}

TEST_F(SudoersCheckTest, GrantRevokedByLaterNegationFails) {
  scenario("revoked");
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "1 of 4 required grants to www-data are not in effect");
  const Evidence* e = find(o, "/etc/sudoers.d/zz-local", "denied without arguments by the last matching rule");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->line, 2);
  EXPECT_EQ(e->observed, "denied without arguments by the last matching rule: www-data ALL=(ALL) "
                         "!/home/EHR/apicrypt/bin/apiuncryptpj");
}

TEST_F(SudoersCheckTest, WwwDataAllIsBroader) {
  scenario("www_data_all");
  EXPECT_EQ(run(grants_params()).status, Status::pass);
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "1 grant problem(s) for www-data beyond what is required");
  ASSERT_EQ(o.evidence.size(), 1u);
  EXPECT_EQ(o.evidence[0].path, "/etc/sudoers.d/web");
  EXPECT_EQ(o.evidence[0].line, 1);
  EXPECT_EQ(o.evidence[0].observed, "www-data ALL=(ALL) NOPASSWD: ALL: ALL: any command as the runas user");
}

TEST_F(SudoersCheckTest, GrantedBinaryInWritableDirectoryFails) {
  scenario("writable_dir");
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  ASSERT_EQ(o.evidence.size(), 4u);
  EXPECT_EQ(o.evidence[0].path, "/etc/sudoers.d/apicrypt");
  EXPECT_EQ(o.evidence[0].line, 1);
  EXPECT_NE(o.evidence[0].observed.find("/home/EHR/apicrypt/bin is writable by owner www-data"), std::string::npos)
      << o.evidence[0].observed;
}

// sudo recovers from "too many levels of includes" (gram.y: push_include()
// fails, !sudoers_recovery is false): the error is reported, the rest judged.
TEST_F(SudoersCheckTest, IncludeLoopIsReportedAndTheRestJudged) {
  scenario("include_loop");
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::fail);
  ASSERT_FALSE(o.evidence.empty());
  EXPECT_EQ(o.evidence[0].path, "/etc/sudoers.d/apicrypt");
  EXPECT_EQ(o.evidence[0].line, 1);
  EXPECT_EQ(o.evidence[0].observed,
            "visudo -c reports /etc/sudoers.d/apicrypt:1: /etc/sudoers.d/apicrypt: too many levels of includes; "
            "sudo skips this entry and warns (error_recovery)");
}

TEST_F(SudoersCheckTest, LooseFileModeFails) {
  scenario("bad_mode");
  EXPECT_EQ(run(grants_params()).status, Status::pass);
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "no grant to www-data is broader than required; 1 sudoers file(s) not root-owned with mode "
                       "0440 or stricter");
  ASSERT_EQ(o.evidence.size(), 1u);
  EXPECT_EQ(o.evidence[0].path, "/etc/sudoers.d/apicrypt");
  EXPECT_EQ(o.evidence[0].expected, "owner=root mode=0440 or stricter");
}

TEST_F(SudoersCheckTest, RestartApicryptIsRecognisedAsInfo) {
  scenario("v2_restart");
  const Outcome o = run(params({{"user", "www-data"},
                                {"optional_alias", "RESTART_APICRYPT"},
                                {"optional_command", "/usr/sbin/service compagnonApicrypt *"}}));
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.summary, "RESTART_APICRYPT (/usr/sbin/service compagnonApicrypt *) is defined; its trailing '*' "
                       "allows any arguments after 'compagnonApicrypt ' and granted to www-data");
  // A "no broader grant" check accepts it only when the policy allows it.
  EXPECT_EQ(run(broader_params()).status, Status::fail);
  Params allowing = broader_params();
  allowing.add("allow", "/usr/sbin/service compagnonApicrypt *");
  EXPECT_EQ(run(allowing).status, Status::pass);
}

TEST_F(SudoersCheckTest, RestartApicryptAbsentIsOptional) {
  scenario("compliant");
  const Outcome o = run(params({{"user", "www-data"},
                                {"optional_alias", "RESTART_APICRYPT"},
                                {"optional_command", "/usr/sbin/service compagnonApicrypt *"}}));
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.summary, "optional Cmnd_Alias RESTART_APICRYPT is not defined (optional)");
}

TEST_F(SudoersCheckTest, PasswordRequiredFails) {
  root_.file("/etc/sudoers.d/apicrypt", "www-data ALL=(ALL) /home/EHR/apicrypt/bin/apicrypt\n", 0440);
  Params p = params({{"user", "www-data"}, {"require", "/home/EHR/apicrypt/bin/apicrypt"}});
  const Outcome o = run(p);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(find(o, "/etc/sudoers.d/apicrypt", "granted but a password is required"), nullptr);
}

TEST_F(SudoersCheckTest, DefaultsNotAuthenticateCountsAsNoPassword) {
  root_.file("/etc/sudoers.d/apicrypt",
             "Defaults:www-data !authenticate\nwww-data ALL=(ALL) /home/EHR/apicrypt/bin/apicrypt\n", 0440);
  const Params p = params({{"user", "www-data"}, {"require", "/home/EHR/apicrypt/bin/apicrypt"}});
  EXPECT_EQ(run(p).status, Status::pass);
  root_.file("/etc/sudoers.d/zz", "Defaults:%www-data authenticate\n", 0440);
  EXPECT_EQ(run(p).status, Status::fail);
}

TEST_F(SudoersCheckTest, NoArgumentsOnlyIsNotEnough) {
  root_.file("/etc/sudoers.d/apicrypt", "www-data ALL=(ALL) NOPASSWD: /home/EHR/apicrypt/bin/apicrypt \"\"\n", 0440);
  const Outcome o = run(params({{"user", "www-data"}, {"require", "/home/EHR/apicrypt/bin/apicrypt"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(find(o, "/etc/sudoers", "with arguments '--clinic-audit-probe'"), nullptr);
}

TEST_F(SudoersCheckTest, ShellGlobSetenvAndSudoeditAreBroader) {
  root_.file("/etc/sudoers.d/web",
             "www-data ALL = NOPASSWD: /bin/bash, /usr/bin/*, sudoedit /etc/hosts\n"
             "www-data ALL = SETENV: /home/EHR/apicrypt/bin/apicrypt\n",
             0440);
  root_.file("/bin/bash", "", 0755);
  root_.dir("/usr/bin");
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  std::vector<std::string> observed;
  for (const auto& e : o.evidence) observed.push_back(e.observed);
  EXPECT_EQ(observed, (std::vector<std::string>{
                          "www-data ALL=NOPASSWD: /bin/bash: /bin/bash is a shell or interpreter: it runs anything",
                          "www-data ALL=NOPASSWD: /usr/bin/*: a glob in the command path matches many programs",
                          "www-data ALL=NOPASSWD: sudoedit /etc/hosts: sudoedit: edits files as root",
                          "www-data ALL=SETENV: /home/EHR/apicrypt/bin/apicrypt: SETENV: the caller may set the "
                          "environment (LD_PRELOAD...) of the command"}));
}

TEST_F(SudoersCheckTest, MissingCommandMattersOnlyIfSomeoneElseCanCreateIt) {
  root_.file("/etc/sudoers.d/web", "www-data ALL = NOPASSWD: /opt/tool/run\n", 0440);
  Params p = broader_params();
  p.add("allow", "/opt/tool/run");
  EXPECT_EQ(run(p).status, Status::pass);  // /opt is root's: only root can create /opt/tool/run
  root_.dir("/opt", 0775, 0, 33);
  const Outcome o = run(p);
  EXPECT_EQ(o.status, Status::fail);
  ASSERT_EQ(o.evidence.size(), 1u);
  EXPECT_EQ(o.evidence[0].observed,
            "www-data ALL=NOPASSWD: /opt/tool/run: /opt/tool/run does not exist and /opt is writable by group www-data "
            "(owner=root group=www-data mode=0775 type=directory): a non-root user can create /opt/tool/run");
}

TEST_F(SudoersCheckTest, GroupGrantFromAuditedRootGroups) {
  root_.file("/etc/group", "root:x:0:\nwww-data:x:33:\nweb:x:500:www-data\n");
  root_.file("/etc/sudoers.d/web", "%web ALL=(ALL) NOPASSWD: ALL\n", 0440);
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  ASSERT_EQ(o.evidence.size(), 1u);
  EXPECT_EQ(o.evidence[0].observed, "%web ALL=(ALL) NOPASSWD: ALL: ALL: any command as the runas user");
}

// Issue #16 item 1: a syntax error no longer masks a root grant. sudo
// skips the bad entry and uses the rest; so does the check.
TEST_F(SudoersCheckTest, SyntaxErrorDoesNotMaskARootGrant) {
  root_.file("/etc/sudoers.d/apicrypt",
             "www-data ALL=(ALL) NOPASSWD: /bin/true\nwww-data ALL=(ALL /bin/x\nwww-data ALL=(ALL) NOPASSWD: ALL\n",
             0440);
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("visudo -c reports 1 error(s), first /etc/sudoers.d/apicrypt:2:25: syntax error; "
                           "sudo skips the bad entries and uses the rest"),
            std::string::npos)
      << o.summary;
  EXPECT_NE(find(o, "/etc/sudoers.d/apicrypt", "www-data ALL=(ALL) NOPASSWD: ALL: ALL: any command"), nullptr);
}

TEST_F(SudoersCheckTest, NonBreakingSpaceIsNamedWithLineAndColumn) {
  root_.file("/etc/sudoers.d/apicrypt", "www-data ALL=(root)\xc2\xa0NOPASSWD: /bin/true\n", 0440);
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::fail);
  const Evidence* e = find(o, "/etc/sudoers.d/apicrypt", "visudo -c reports");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->observed,
            "visudo -c reports /etc/sudoers.d/apicrypt:1:20: expected a fully-qualified path name; sudo skips this "
            "entry and warns (error_recovery); line 1 has U+00A0 (no-break space) at column 20 where sudo expects a "
            "space or tab");
}

TEST_F(SudoersCheckTest, InsecureMainFileMeansSudoRefusesToRun) {
  root_.file("/etc/sudoers", "www-data ALL=(ALL) NOPASSWD: ALL\n", 0666);
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("sudo refuses to run: /etc/sudoers:"), std::string::npos) << o.summary;
}

// Issue #20 item 3: ALL behind 65 (and 3000) nested Cmnd_Alias levels.
TEST_F(SudoersCheckTest, DeeplyNestedAliasesAreFollowedOrAnError) {
  std::string text = "Cmnd_Alias L0 = ALL\n";
  for (int i = 1; i <= 65; ++i) text += "Cmnd_Alias L" + std::to_string(i) + " = L" + std::to_string(i - 1) + "\n";
  root_.file("/etc/sudoers.d/deep", text + "www-data ALL=(ALL) NOPASSWD: L65\n", 0440);
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(find(o, "/etc/sudoers.d/deep", "ALL: any command"), nullptr);
  for (int i = 66; i <= 3000; ++i) text += "Cmnd_Alias L" + std::to_string(i) + " = L" + std::to_string(i - 1) + "\n";
  root_.file("/etc/sudoers.d/deep", text + "www-data ALL=(ALL) NOPASSWD: L3000\n", 0440);
  const Outcome deep = run(broader_params());
  EXPECT_EQ(deep.status, Status::error) << deep.summary;
  root_.file("/etc/sudoers.d/deep", "Cmnd_Alias A = B\nCmnd_Alias B = A, ALL\nwww-data ALL=(ALL) NOPASSWD: A\n", 0440);
  EXPECT_NE(run(broader_params()).status, Status::pass);
}

TEST_F(SudoersCheckTest, RegexThatWouldChokeRegcompIsAnError) {
  root_.file("/etc/sudoers.d/re", "www-data ALL=(ALL) NOPASSWD: ^/usr/bin/a????+++++++++$\n", 0440);
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::error);
  EXPECT_NE(o.summary.find("stacked"), std::string::npos) << o.summary;
}

// Issue #16 item 4: command digests (match_digest.c). The fixture's
// binaries are "#!/bin/sh\n"; a rule whose digest no longer matches the
// file (replaced, upgraded) grants nothing, and a file the auditor cannot
// read makes the verdict that depends on it an error.
constexpr const char* kShDigest = "a8076d3d28d21e02012b20eaf7dbf75409a6277134439025f282e368e3305abf";

TEST_F(SudoersCheckTest, DigestMismatchMeansTheRequiredGrantIsNotInEffect) {
  std::string text;
  for (const char* b : {"apicryptpj", "apiuncrypt", "apiuncryptpj"}) {
    text += "www-data ALL=(ALL) NOPASSWD: sha256:" + std::string(kShDigest) + " " + kBin + b + "\n";
  }
  root_.file("/etc/sudoers.d/apicrypt",
             text + "www-data ALL=(ALL) NOPASSWD: sha256:" + kShDigest + " " + kBin + "apicrypt\n", 0440);
  EXPECT_EQ(run(grants_params()).status, Status::pass);
  // The binary is upgraded: the digest written in sudoers is now stale.
  root_.file("/home/EHR/apicrypt/bin/apicrypt", "#!/bin/sh\necho v2\n", 0755);
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_EQ(o.summary, "1 of 4 required grants to www-data are not in effect");
  EXPECT_NE(find(o, "/etc/sudoers",
                 "no rule lets www-data run /home/EHR/apicrypt/bin/apicrypt without arguments; a rule "
                 "naming it is ignored: the sha256 digest in sudoers does not match "
                 "/home/EHR/apicrypt/bin/apicrypt (replaced or upgraded since)"),
            nullptr);
  // Base64 of the same digest, and a list where the second digest matches.
  root_.file("/home/EHR/apicrypt/bin/apicrypt", "#!/bin/sh\n", 0755);
  root_.file("/etc/sudoers.d/apicrypt",
             text +
                 "www-data ALL=(ALL) NOPASSWD: sha224:00000000000000000000000000000000000000000000000000000000, "
                 "sha256:qAdtPSjSHgIBKyDq99v3VAmmJ3E0Q5Al8oLjaOMwWr8= " +
                 kBin + "apicrypt\n",
             0440);
  EXPECT_EQ(run(grants_params()).status, Status::pass);
}

TEST_F(SudoersCheckTest, DigestOfAFileTheAuditorCannotReadIsAnError) {
  std::string text;
  for (const char* b : {"apicrypt", "apicryptpj", "apiuncrypt", "apiuncryptpj"}) {
    text += "www-data ALL=(ALL) NOPASSWD: sha256:" + std::string(kShDigest) + " " + kBin + b + "\n";
  }
  root_.file("/etc/sudoers.d/apicrypt",
             text + "www-data ALL=(ALL) NOPASSWD: sha256:" + kShDigest + " /usr/local/bin/tool\n", 0440);
  std::filesystem::remove(root_.path() / "home/EHR/apicrypt/bin/apicrypt");
  ASSERT_EQ(::mkfifo((root_.path() / "home/EHR/apicrypt/bin/apicrypt").c_str(), 0755), 0);
  root_.dir("/usr/local/bin", 0755);
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_NE(o.summary.find("cannot read /home/EHR/apicrypt/bin/apicrypt to compute its sha256 digest"),
            std::string::npos)
      << o.summary;
  // forbid_broader: /usr/local/bin/tool is not allowed. Missing: it grants
  // nothing (sudo cannot digest it); a FIFO: cannot be told, error; the
  // same content as the digest: a grant beyond the allowed ones.
  Params broad = broader_params();
  EXPECT_EQ(run(broad).status, Status::pass) << run(broad).summary;
  ASSERT_EQ(::mkfifo((root_.path() / "usr/local/bin/tool").c_str(), 0755), 0);
  const Outcome unknown = run(broad);
  EXPECT_EQ(unknown.status, Status::error) << unknown.summary;
  EXPECT_NE(unknown.summary.find("/usr/local/bin/tool"), std::string::npos) << unknown.summary;
  std::filesystem::remove(root_.path() / "usr/local/bin/tool");
  root_.file("/usr/local/bin/tool", "#!/bin/sh\n", 0755);
  const Outcome granted = run(broad);
  EXPECT_EQ(granted.status, Status::fail) << granted.summary;
  EXPECT_NE(find(granted, "/etc/sudoers.d/apicrypt", "/usr/local/bin/tool"), nullptr);
  root_.file("/usr/local/bin/tool", "#!/bin/sh\nexec /bin/sh\n", 0755);
  const Outcome stale = run(broad);
  EXPECT_EQ(stale.status, Status::pass) << stale.summary;
  EXPECT_NE(find(stale, "/etc/sudoers.d/apicrypt", "grants nothing, the sha256 digest in sudoers does not match"),
            nullptr);
}

// Issue #16 item 4: Defaults runas_check_shell (check.c check_user_shell()).
TEST_F(SudoersCheckTest, RunasCheckShellRefusesATargetWhoseShellIsNotListed) {
  scenario("compliant");
  root_.file("/etc/sudoers.d/shells", "Defaults runas_check_shell\n", 0440);
  root_.file("/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/bin/bash # bash\n", 0644);
  EXPECT_EQ(run(grants_params()).status, Status::pass);
  // Without /etc/shells, getusershell(3) knows only /bin/sh and /bin/csh.
  std::filesystem::remove(root_.path() / "etc/shells");
  const Outcome o = run(grants_params());
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_NE(find(o, "/etc/sudoers.d/apicrypt",
                 "sudo runs nothing as root: its shell /bin/bash is not a default shell "
                 "(no /etc/shells) and Defaults runas_check_shell is set"),
            nullptr);
  // forbid_broader: a rule that runs only as root grants nothing then.
  root_.file("/etc/sudoers.d/wide", "www-data ALL = NOPASSWD: ALL\n", 0440);
  const Outcome broad = run(broader_params());
  EXPECT_EQ(broad.status, Status::pass) << broad.summary;
  EXPECT_NE(find(broad, "/etc/sudoers.d/wide", "www-data ALL=NOPASSWD: ALL: grants nothing, sudo runs nothing as root"),
            nullptr);
  root_.file("/etc/shells", "/bin/bash\n", 0644);
  EXPECT_EQ(run(broader_params()).status, Status::fail);
  // Unreadable /etc/shells: cannot be told.
  std::filesystem::remove(root_.path() / "etc/shells");
  ASSERT_EQ(::mkfifo((root_.path() / "etc/shells").c_str(), 0644), 0);
  EXPECT_EQ(run(broader_params()).status, Status::error);
  root_.file("/etc/sudoers.d/wide", "\n", 0440);
  EXPECT_EQ(run(grants_params()).status, Status::error);
}

TEST_F(SudoersCheckTest, EvidenceIsCappedWithACount) {
  root_.file("/etc/sudoers", "@includedir /etc/sudoers.d\n", 0440);
  std::string text;
  for (int i = 0; i < 500; ++i) text += "www-data ALL=(ALL) NOPASSWD: /usr/bin/x" + std::to_string(i) + "\n";
  root_.file("/etc/sudoers.d/many", text, 0440);
  const Outcome o = run(broader_params());
  EXPECT_EQ(o.status, Status::fail);
  ASSERT_LE(o.evidence.size(), 80u);
  bool counted = false;
  for (const auto& e : o.evidence)
    counted = counted || e.observed.find("more evidence items not shown") != std::string::npos;
  EXPECT_TRUE(counted);
}

TEST_F(SudoersCheckTest, BadParametersAreRejected) {
  EXPECT_THROW(sudoers_check_type().create(params({})), ParamError);
  EXPECT_THROW(sudoers_check_type().create(params({{"user", "www-data"}, {"require", "relative/path"}})), ParamError);
  EXPECT_THROW(sudoers_check_type().create(params({{"user", "www-data"}, {"fix_file", "/etc/sudoers.d/a.conf"}})),
               ParamError);
  EXPECT_THROW(sudoers_check_type().create(params({{"user", "www-data"}, {"optional_alias", "X"}})), ParamError);
}

}  // namespace
}  // namespace clinic_audit

namespace clinic_audit {
namespace {

// Issue #17 item 2: the remediation commands, applied literally with
// `sh -e` on the failing tree (its paths re-rooted into the fixture), make
// the check pass; they never print a grant twice.
class SudoersRemediation : public ::testing::Test {
 protected:
  SudoersRemediation() : root_(testing::fixture_dir("sudoers-fix/" + testing::test_name())) {
    root_.debian_accounts();
    root_.apply_manifest(testing::source_dir() / "tests/fixtures/sudoers/roots/base.manifest");
  }
  Outcome run(const Params& p) {
    RootFs fs(root_.path());
    ProcessRunner runner;
    Context context(fs, runner, NetworkSettings{});
    return sudoers_check_type().create(p)->run(context);
  }
  void apply(const Outcome& o) {
    ASSERT_FALSE(o.remediation_commands.empty()) << o.summary;
    std::string script;
    for (std::string cmd : o.remediation_commands) {
      const std::string from = "/etc/sudoers";
      for (std::size_t pos = cmd.find(from); pos != std::string::npos; pos = cmd.find(from, pos + 1)) {
        cmd.insert(pos, root_.path().string());
        pos += root_.path().string().size();
      }
      script += cmd + "\n";
    }
    ProcessRunner runner;
    clinic_audit::CommandSpec spec;
    spec.program = "/bin/sh";
    spec.args = {"-e", "-c", script};
    const CommandResult r = runner.run(spec);
    ASSERT_EQ(r.exit_code, 0) << script << r.out << r.err;
  }
  void fix_and_pass(const Params& p) {
    const Outcome before = run(p);
    ASSERT_EQ(before.status, Status::fail) << before.summary;
    apply(before);
    const Outcome after = run(p);
    EXPECT_EQ(after.status, Status::pass) << after.summary;
    apply(before);  // idempotent
    EXPECT_EQ(run(p).status, Status::pass);
  }
  testing::FixtureRoot root_;
};

TEST_F(SudoersRemediation, MissingGrantsAreAdded) { fix_and_pass(grants_params()); }

TEST_F(SudoersRemediation, LaterFileRevokingNopasswdIsAddressed) {
  root_.apply_manifest(testing::source_dir() / "tests/fixtures/sudoers/roots/compliant.manifest");
  root_.file("/etc/sudoers.d/medshakeehr", "www-data ALL=(ALL) PASSWD: /home/EHR/apicrypt/bin/apicrypt\n", 0440);
  const Outcome o = run(grants_params());
  ASSERT_EQ(o.status, Status::fail);
  std::size_t mentions = 0;
  for (const auto& c : o.remediation_commands) {
    EXPECT_EQ(c.find("sudoers.d/apicrypt "), std::string::npos) << c;  // adding to apicrypt would change nothing
    if (c.find("printf") != std::string::npos) ++mentions;
  }
  EXPECT_EQ(mentions, 1u);
  fix_and_pass(grants_params());
}

TEST_F(SudoersRemediation, RevokedByLaterNegationIsAddressed) {
  root_.apply_manifest(testing::source_dir() / "tests/fixtures/sudoers/roots/revoked.manifest");
  fix_and_pass(grants_params());
}

TEST_F(SudoersRemediation, FileOwnedByWwwDataIsGivenToRoot) {
  root_.apply_manifest(testing::source_dir() / "tests/fixtures/sudoers/roots/compliant.manifest");
  std::filesystem::path host = root_.path() / "etc/sudoers.d/apicrypt";
  ASSERT_EQ(::chown(host.c_str(), 33, 33), 0);
  const Outcome o = run(grants_params());
  ASSERT_EQ(o.status, Status::fail);
  ASSERT_FALSE(o.remediation_commands.empty());
  EXPECT_EQ(o.remediation_commands[0], "chown root:root /etc/sudoers.d/apicrypt && chmod 0440 /etc/sudoers.d/apicrypt");
  fix_and_pass(grants_params());
}

TEST_F(SudoersRemediation, HostileFileNamesAreQuoted) {
  root_.file("/etc/sudoers.d/x;touch${IFS}pwned", "", 0440, 33, 33);
  const Outcome o = run(grants_params());
  bool quoted = false;
  for (const auto& c : o.remediation_commands)
    quoted = quoted || c.find("'/etc/sudoers.d/x;touch${IFS}pwned'") != std::string::npos;
  EXPECT_TRUE(quoted);
  fix_and_pass(grants_params());
  EXPECT_FALSE(std::filesystem::exists("pwned"));
}

}  // namespace
}  // namespace clinic_audit
