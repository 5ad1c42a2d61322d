// Issue #21 item 9 for rspamd: the evidence names the element whose value
// won and why a competing one lost: an override.d rule replacing the local.d
// one of the same name, and settings elements, of which rspamd applies only
// those at the highest matching priority (settings.lua check_settings), in
// an undefined order when several tie.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "antispam/antispam_check.hpp"
#include "common/context.hpp"
#include "fixture_root.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

// The antispam check on `root`, for the e-KerMed sender.
Outcome run_check(FixtureRoot& root) {
  RootFs fs(root.path());
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, std::chrono::milliseconds(100)});
  Params params;
  params.add("sender", "votre-teleconsultation@visiotlm.esante-bretagne.fr");
  return antispam_check_type().create(params)->run(context);
}

Outcome run_rspamd(const std::string& tag, const std::string& local_settings, const std::string& override_multimap = "",
                   const std::string& local_multimap = "",
                   const std::vector<std::pair<std::string, std::string>>& other_files = {}) {
  FixtureRoot root(fixture_dir("antispam-rspamd-ev-" + tag));
  root.dir("/etc/rspamd");
  for (const auto& [path, text] : other_files) root.file(path, text);
  if (!local_settings.empty()) root.file("/etc/rspamd/local.d/settings.conf", local_settings);
  if (!local_multimap.empty()) root.file("/etc/rspamd/local.d/multimap.conf", local_multimap);
  if (!override_multimap.empty()) root.file("/etc/rspamd/override.d/multimap.conf", override_multimap);
  return run_check(root);
}

std::string dump(const Outcome& o) {
  std::string out = o.summary + "\n";
  for (const Evidence& e : o.evidence)
    out += e.path + ":" + std::to_string(e.line.value_or(0)) + " " + e.observed + "\n";
  return out;
}

bool has(const Outcome& o, const std::string& text, const std::string& path, int line) {
  for (const Evidence& e : o.evidence) {
    if (e.observed.find(text) != std::string::npos && e.path == path && e.line == std::optional<int>(line)) return true;
  }
  return false;
}

TEST(RspamdEvidence, HigherPrioritySettingsWinsAndTheOtherLoses) {
  // A high-priority element for the whole domain that only changes an
  // action threshold wins over the low-priority want_spam one: not a pass.
  const Outcome o = run_rspamd(
      "priority",
      "ekermed { from = \"@visiotlm.esante-bretagne.fr\"; want_spam = yes; }\n"
      "strict { priority = high; from = \"@visiotlm.esante-bretagne.fr\"; apply { actions { reject = 8; } } }\n");
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_TRUE(has(o, "settings ekermed (/etc/rspamd/local.d/settings.conf:1, priority low) matches",
                  "/etc/rspamd/local.d/settings.conf", 1))
      << dump(o);
  EXPECT_TRUE(has(o, "loses to settings strict (/etc/rspamd/local.d/settings.conf:2, priority high)",
                  "/etc/rspamd/local.d/settings.conf", 1))
      << dump(o);
  // The same two, the whitelisting one now at the higher priority: pass,
  // and the other is named as the loser.
  const Outcome ok = run_rspamd(
      "priority-ok",
      "ekermed { priority = high; from = \"@visiotlm.esante-bretagne.fr\"; want_spam = yes; }\n"
      "strict { priority = 2; from = \"@visiotlm.esante-bretagne.fr\"; apply { actions { reject = 8; } } }\n");
  EXPECT_EQ(ok.status, Status::pass) << dump(ok);
  EXPECT_TRUE(has(ok, "settings strict (/etc/rspamd/local.d/settings.conf:2, priority medium) matches",
                  "/etc/rspamd/local.d/settings.conf", 2))
      << dump(ok);
}

TEST(RspamdEvidence, TiedPrioritiesThatDisagreeCannotBeTold) {
  const Outcome o = run_rspamd("tie", "ekermed { from = \"@visiotlm.esante-bretagne.fr\"; want_spam = yes; }\n"
                                      "strict { from = \"/esante-bretagne/\"; apply { actions { reject = 8; } } }\n");
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_NE(o.summary.find("order rspamd leaves undefined"), std::string::npos) << dump(o);
}

TEST(RspamdEvidence, OverrideReplacesTheLocalRuleOfTheSameName) {
  const Outcome o = run_rspamd(
      "override", "",
      "ekermed { type = \"from\"; filter = \"email:domain\"; map = [\"other.example\"]; action = \"accept\"; }\n",
      "ekermed { type = \"from\"; filter = \"email:domain\"; map = [\"visiotlm.esante-bretagne.fr\"]; action = \"accept\"; }\n");
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_TRUE(has(o, "rule ekermed replaces the one at /etc/rspamd/local.d/multimap.conf:1 (override.d",
                  "/etc/rspamd/override.d/multimap.conf", 1))
      << dump(o);
}

// A regexp this check refuses to hand to glibc (a nested repetition, a
// back-reference) or that regcomp rejects was taken for "no match": a rule
// that rspamd applies was then never seen, and a blocking one let the
// check pass. Now the rule is undecided and the verdict says so (error),
// naming the entry; one that hits in the same rule still decides.
constexpr const char* kWhitelist =
    "ekermed { type = \"from\"; filter = \"email:domain\"; map = [\"visiotlm.esante-bretagne.fr\"]; "
    "action = \"accept\"; }\n";

TEST(RspamdEvidence, ABlockingRegexpNeverEvaluatedIsNoPass) {
  // The pattern as UCL reads it (a backslash doubled in a quoted string)
  // and as rspamd then holds it. "/[" and "/(" are data, not map paths
  // (lua_maps.lua: '^/%a' names a file).
  const std::pair<std::string, std::string> patterns[] = {{"(a{255}){255}|visiotlm",
                                                           "(a{255}){255}|visiotlm"},  // nested repetition
                                                          {"(v)\\\\1|visiotlm", "(v)\\1|visiotlm"},  // back-reference
                                                          {"[visiotlm", "[visiotlm"}};  // regcomp: REG_EBRACK
  for (const auto& [written, held] : patterns) {
    const Outcome o =
        run_rspamd("refused-block", "", "",
                   std::string(kWhitelist) + "blockre { type = \"from\"; filter = \"email:addr\"; map = [\"/" +
                       written + "/\"]; regexp = true; action = \"reject\"; }\n");
    EXPECT_EQ(o.status, Status::error) << held << "\n" << dump(o);
    EXPECT_NE(o.summary.find("cannot tell whether multimap rule blockre"), std::string::npos) << dump(o);
    EXPECT_TRUE(has(o, "regexp entry /" + held + "/", "/etc/rspamd/local.d/multimap.conf", 2)) << dump(o);
  }
}

TEST(RspamdEvidence, AWhitelistingRegexpNeverEvaluatedIsNoFail) {
  const Outcome o = run_rspamd("refused-ok", "", "",
                               "okre { type = \"from\"; map = [\"/(a{255}){255}|visiotlm/\"]; regexp = true; "
                               "action = \"accept\"; }\n");
  EXPECT_EQ(o.status, Status::error) << dump(o);
  EXPECT_NE(o.summary.find("cannot tell whether multimap rule okre"), std::string::npos) << dump(o);
}

TEST(RspamdEvidence, ARegexpSettingsElementNeverEvaluatedIsNoPass) {
  // Evaluated, "strict" would outrank the whitelisting element.
  const Outcome o = run_rspamd(
      "refused-settings",
      "ekermed { from = \"@visiotlm.esante-bretagne.fr\"; want_spam = yes; }\n"
      "strict { priority = high; from = [\"@other.example\", \"/(e)\\\\1|esante/\"]; apply { actions { reject = 8; } } }\n");
  EXPECT_EQ(o.status, Status::error) << dump(o);
  EXPECT_NE(o.summary.find("cannot tell whether settings strict"), std::string::npos) << dump(o);
  EXPECT_TRUE(has(o, "settings strict: from /(e)\\1|esante/", "/etc/rspamd/local.d/settings.conf", 2)) << dump(o);
}

TEST(RspamdEvidence, AnEntryThatMatchesDecidesItsRuleDespiteAnUnevaluatedOne) {
  const Outcome o =
      run_rspamd("refused-map", "", "",
                 "okre { type = \"from\"; filter = \"email:addr\"; map = \"/etc/rspamd/ok.map\"; regexp = true; "
                 "action = \"accept\"; }\n",
                 {{"/etc/rspamd/ok.map", "# senders\n/(a{255}){255}/\n/@visiotlm\\.esante-bretagne\\.fr$/\n"}});
  EXPECT_EQ(o.status, Status::pass) << dump(o);
  EXPECT_TRUE(has(o, "via entry \"/@visiotlm\\.esante-bretagne\\.fr$/\"", "/etc/rspamd/ok.map", 3)) << dump(o);
}

}  // namespace
}  // namespace clinic_audit::antispam

namespace clinic_audit::antispam {
namespace {

// Item 9 for amavisd-new: a false first answer hides later whitelisting
// entries (Amavis::Lookup::lookup stops at the first defined answer), and a
// list assigned again without splicing itself in replaces the earlier one.
TEST(AmavisEvidence, FirstAnswerAndLastAssignmentWin) {
  FixtureRoot root(fixture_dir("antispam-amavis-ev"));
  root.file("/etc/amavis/conf.d/20-debian_defaults",
            "use strict;\n@whitelist_sender_maps = ({ '.esante-bretagne.fr' => 1 });\n1;\n");
  root.file(
      "/etc/amavis/conf.d/50-user",
      "use strict;\n@whitelist_sender_maps = ({ 'visiotlm.esante-bretagne.fr' => 0 }, { '.esante-bretagne.fr' => 1 });\n1;\n");
  const Outcome o = run_check(root);
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_TRUE(
      has(o,
          "replaces the assignment at /etc/amavis/conf.d/20-debian_defaults:2 (read earlier; the last assignment wins)",
          "/etc/amavis/conf.d/50-user", 2))
      << dump(o);
  EXPECT_TRUE(
      has(o, "key \"visiotlm.esante-bretagne.fr\" => 0 answers first, and false", "/etc/amavis/conf.d/50-user", 2))
      << dump(o);
}

Outcome run_amavis(const std::string& tag, const std::string& user_conf) {
  FixtureRoot root(fixture_dir("antispam-amavis-ev-" + tag));
  root.file("/etc/amavis/conf.d/50-user", "use strict;\n" + user_conf + "1;\n");
  return run_check(root);
}

// A new_RE pattern that cannot be evaluated (a look-ahead, "(?=", has no
// POSIX form; or the guard refuses it) was skipped, so the lookup went on
// to a later answer: a false answer it would have given first, or a score
// it would have added, was never seen and the check passed. Now the check
// cannot tell (error); a pattern whose answer would be the same decides
// nothing either way.
TEST(AmavisEvidence, AnUnevaluatedPatternBeforeTheAnswerIsNoPass) {
  const Outcome o =
      run_amavis("re-false",
                 "@whitelist_sender_maps = (new_RE([qr'^(?=votre)'i => 0]), { '.esante-bretagne.fr' => 1 });\n");
  EXPECT_EQ(o.status, Status::error) << dump(o);
  EXPECT_NE(o.summary.find("cannot tell what @whitelist_sender_maps answers"), std::string::npos) << dump(o);
  EXPECT_NE(o.summary.find("/etc/amavis/conf.d/50-user:2"), std::string::npos) << dump(o);
  const Outcome score =
      run_amavis("re-score",
                 "@score_sender_maps = ({ '.' => [ new_RE([qr'(?=visiotlm)' => 30.0]), { '.esante-bretagne.fr' => -20 "
                 "} ] });\n");
  EXPECT_EQ(score.status, Status::error) << dump(score);
  EXPECT_NE(score.summary.find("cannot tell what @score_sender_maps answers"), std::string::npos) << dump(score);
  // The same answer either way: decided.
  const Outcome same =
      run_amavis("re-same",
                 "@whitelist_sender_maps = (new_RE([qr'^(?=votre)'i => 1]), { '.esante-bretagne.fr' => 1 });\n");
  EXPECT_EQ(same.status, Status::pass) << dump(same);
}

// Perl's syntax that POSIX can say is translated (perl_regex.hpp), so the
// pattern decides: "(?:" and "\d" were refused or misread by glibc before.
TEST(AmavisEvidence, TranslatedPerlPatternsDecideTheLookup) {
  const Outcome blocked =
      run_amavis("re-translated",
                 "@whitelist_sender_maps = (new_RE([qr'^(?:votre)-\\w+@'i => 0]), { '.esante-bretagne.fr' => 1 });\n");
  EXPECT_EQ(blocked.status, Status::fail) << dump(blocked);
  const Outcome scored =
      run_amavis("re-translated-score",
                 "@score_sender_maps = ({ '.' => [ new_RE([qr'^votre-\\S+\\x40visiotlm\\.' => 30.0]) ] });\n");
  EXPECT_EQ(scored.status, Status::fail) << dump(scored);
}

}  // namespace
}  // namespace clinic_audit::antispam
