// Issue #21 items 5 and 9 for Postfix, on fixtures: restrictions judged by
// what postconf(5) says they reject (DNS-dependent ones stated as a
// condition of delivery time, never looked up), warn_if_reject, and
// evidence that names the line whose value won and why the others lost.
// The live comparison with a real smtpd is postfix_live_oracle_test.cpp.
#include <gtest/gtest.h>

#include "antispam/antispam_check.hpp"
#include "antispam/postfix_restrictions.hpp"
#include "common/context.hpp"
#include "fixture_root.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

constexpr const char* kSender = "votre-teleconsultation@visiotlm.esante-bretagne.fr";

Outcome run_postfix(const std::string& tag, const std::string& main_cf, const std::string& access = "",
                    const std::string& master_cf = "") {
  FixtureRoot root(fixture_dir("antispam-postfix-sem-" + tag));
  root.file("/etc/postfix/main.cf", main_cf);
  if (!access.empty()) root.file("/etc/postfix/sender_access", access);
  if (!master_cf.empty()) root.file("/etc/postfix/master.cf", master_cf);
  RootFs fs(root.path());
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, std::chrono::milliseconds(100)});
  Params params;
  params.add("sender", kSender);
  return antispam_check_type().create(params)->run(context);
}

bool evidence_has(const Outcome& o, const std::string& text, const std::string& path = "", int line = 0) {
  for (const Evidence& e : o.evidence) {
    if (e.observed.find(text) == std::string::npos && e.expected.find(text) == std::string::npos) continue;
    if (!path.empty() && e.path != path) continue;
    if (line != 0 && e.line != std::optional<int>(line)) continue;
    return true;
  }
  return false;
}

std::string dump(const Outcome& o) {
  std::string out = o.summary + "\n";
  for (const Evidence& e : o.evidence)
    out += e.path + ":" + std::to_string(e.line.value_or(0)) + " " + e.observed + " | " + e.expected + "\n";
  return out;
}

TEST(PostfixSemantics, JudgementPerPostconf) {
  SenderOptions options;
  options.sender = *parse_sender(kSender);
  EXPECT_EQ(judge_restriction("reject_non_fqdn_sender", "", options).effect, RestrictionEffect::passes);
  for (const char* dns :
       {"reject_unknown_sender_domain", "reject_unverified_sender", "reject_unknown_helo_hostname",
        "reject_non_fqdn_helo_hostname", "reject_invalid_helo_hostname", "reject_unknown_client_hostname",
        "reject_unknown_reverse_client_hostname", "check_sender_mx_access"}) {
    const RestrictionJudgement j = judge_restriction(dns, "hash:/etc/postfix/mx", options);
    EXPECT_EQ(j.effect, RestrictionEffect::conditional) << dns;
    EXPECT_FALSE(j.condition.empty()) << dns;
  }
  EXPECT_EQ(judge_restriction("reject_rbl_client", "zen.example", options).effect, RestrictionEffect::may_reject);
  EXPECT_EQ(judge_restriction("reject_rhsbl_sender", "dbl.example", options).effect, RestrictionEffect::may_reject);
  EXPECT_EQ(judge_restriction("reject", "", options).effect, RestrictionEffect::may_reject);
  EXPECT_EQ(judge_restriction("permit_mynetworks", "", options).effect, RestrictionEffect::neutral);
  options.sender = *parse_sender("someone@localhost");
  EXPECT_EQ(judge_restriction("reject_non_fqdn_sender", "", options).effect, RestrictionEffect::rejects);
}

TEST(PostfixSemantics, DnsDependentRestrictionsAreAConditionNotAFailure) {
  const Outcome o =
      run_postfix("dns", "smtpd_sender_restrictions = reject_non_fqdn_sender, reject_unknown_sender_domain\n"
                         "smtpd_helo_restrictions = reject_non_fqdn_helo_hostname\n"
                         "smtpd_recipient_restrictions = reject_unauth_destination, reject_unverified_sender\n");
  EXPECT_EQ(o.status, Status::pass) << dump(o);
  EXPECT_NE(o.summary.find("visiotlm.esante-bretagne.fr has an MX or A/AAAA record"), std::string::npos) << o.summary;
  EXPECT_NE(o.summary.find("verification probe"), std::string::npos) << o.summary;
  EXPECT_NE(o.summary.find("fully qualified HELO"), std::string::npos) << o.summary;
  EXPECT_TRUE(evidence_has(o, "depends on DNS at delivery time", "/etc/postfix/main.cf", 1)) << dump(o);
  EXPECT_TRUE(evidence_has(o, "not looked up")) << dump(o);
  EXPECT_TRUE(evidence_has(o, "is fully qualified, so it does not reject")) << dump(o);
}

TEST(PostfixSemantics, ConditionBeforeAnOkIsNeverReachedAndBlocklistsStillBlock) {
  // The OK ends the list before the DNS restriction: no condition at all.
  Outcome o = run_postfix("ok-first",
                          "smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access, "
                          "reject_unknown_sender_domain, reject_rhsbl_sender dbl.example\n",
                          "visiotlm.esante-bretagne.fr OK\n");
  EXPECT_EQ(o.status, Status::pass) << dump(o);
  EXPECT_EQ(o.summary.find("DNS"), std::string::npos) << o.summary;
  // A blocklist is reputation: only an OK before it proves delivery.
  o = run_postfix("rhsbl",
                  "smtpd_sender_restrictions = reject_unknown_sender_domain, reject_rhsbl_sender dbl.example\n");
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_NE(o.summary.find("reject_rhsbl_sender dbl.example"), std::string::npos) << o.summary;
}

TEST(PostfixSemantics, WarnIfRejectTurnsOnlyTheNextRestrictionIntoAWarning) {
  Outcome o = run_postfix("warn", "smtpd_sender_restrictions = warn_if_reject, reject_rbl_client zen.example\n");
  EXPECT_EQ(o.status, Status::pass) << dump(o);
  EXPECT_TRUE(evidence_has(o, "after warn_if_reject: it only logs a warning")) << dump(o);
  o = run_postfix("warn-next-only",
                  "smtpd_sender_restrictions = warn_if_reject, reject_non_fqdn_sender, reject_rbl_client zen.example\n");
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  o = run_postfix("warn-table",
                  "smtpd_sender_restrictions = warn_if_reject, check_sender_access hash:/etc/postfix/sender_access\n",
                  "esante-bretagne.fr REJECT\n");
  EXPECT_EQ(o.status, Status::pass) << dump(o);
}

// Item 9: the winning line, and why the competing one lost.
TEST(PostfixSemantics, EvidenceNamesTheWinnerAndWhyOthersLost) {
  // main.cf: the last definition wins.
  Outcome o = run_postfix("last-wins",
                          "smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access\n"
                          "smtpd_sender_restrictions = reject_rbl_client zen.example\n",
                          "visiotlm.esante-bretagne.fr OK\n");
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_TRUE(evidence_has(
      o,
      "smtpd_sender_restrictions (/etc/postfix/main.cf:2; overrides /etc/postfix/main.cf:1 (the last definition in main.cf wins))",
      "/etc/postfix/main.cf", 2))
      << dump(o);
  // master.cf -o beats main.cf for the Internet smtpd.
  o = run_postfix("master-wins", "smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access\n",
                  "visiotlm.esante-bretagne.fr OK\n",
                  "smtp inet n - y - - smtpd\n  -o smtpd_sender_restrictions=reject_rbl_client,zen.example\n");
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_TRUE(evidence_has(o, "overrides /etc/postfix/main.cf:1 for the smtp service (master(5) -o)",
                           "/etc/postfix/master.cf", 1))
      << dump(o);
  // access(5): the first key found wins; a parent-domain entry is never consulted.
  o = run_postfix("key-order", "smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access\n",
                  "esante-bretagne.fr REJECT\nvisiotlm.esante-bretagne.fr OK\nvisiotlm.esante-bretagne.fr REJECT\n");
  EXPECT_EQ(o.status, Status::pass) << dump(o);
  EXPECT_TRUE(evidence_has(o, "esante-bretagne.fr REJECT is never consulted", "/etc/postfix/sender_access", 1))
      << dump(o);
  EXPECT_TRUE(evidence_has(o, "key visiotlm.esante-bretagne.fr (line 2) is looked up first")) << dump(o);
  EXPECT_TRUE(evidence_has(o, "duplicate entry \"visiotlm.esante-bretagne.fr\" loses to line 2",
                           "/etc/postfix/sender_access", 3))
      << dump(o);
}

TEST(PostfixSemantics, RegexpLaterMatchesLoseToTheFirst) {
  FixtureRoot root(fixture_dir("antispam-postfix-sem-regexp"));
  root.file("/etc/postfix/main.cf",
            "smtpd_sender_restrictions = check_sender_access regexp:/etc/postfix/sender_checks\n");
  root.file("/etc/postfix/sender_checks", "/esante-bretagne/ REJECT\n/@visiotlm\\./ OK\n");
  RootFs fs(root.path());
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, std::chrono::milliseconds(100)});
  Params params;
  params.add("sender", kSender);
  const Outcome o = antispam_check_type().create(params)->run(context);
  EXPECT_EQ(o.status, Status::fail) << dump(o);
  EXPECT_TRUE(
      evidence_has(o, "also matches " + std::string(kSender) + " but loses to line 1", "/etc/postfix/sender_checks", 2))
      << dump(o);
}

// A rule whose pattern the regex guard refuses (glibc would compile it,
// slowly, and Postfix apply it) was dropped, so a REJECT rule above the OK
// one was never seen and the check passed. It is kept and reported now: the
// table's answer cannot be told unless the rule would answer the same.
TEST(PostfixSemantics, UnevaluatedRuleBeforeTheMatchIsNoPass) {
  const std::string main_cf = "smtpd_sender_restrictions = check_sender_access regexp:/etc/postfix/sender_access\n";
  const Outcome o = run_postfix("unevaluated", main_cf, "/(e{255}){255}|esante/ REJECT\n/@visiotlm\\./ OK\n");
  EXPECT_EQ(o.status, Status::error) << dump(o);
  EXPECT_TRUE(evidence_has(o, "/etc/postfix/sender_access:1: a rule whose pattern this check does not evaluate"))
      << dump(o);
  EXPECT_TRUE(evidence_has(o, "comes before line 2 (OK)")) << dump(o);
  const Outcome same = run_postfix("unevaluated-same", main_cf, "/(e{255}){255}|esante/ OK\n/@visiotlm\\./ OK\n");
  EXPECT_EQ(same.status, Status::pass) << dump(same);
  const Outcome after = run_postfix("unevaluated-after", main_cf, "/@visiotlm\\./ OK\n/(e{255}){255}|esante/ REJECT\n");
  EXPECT_EQ(after.status, Status::pass) << dump(after);
}

TEST(PostfixSemantics, ExpansionBombIsErrorNamingTheParameter) {
  std::string main_cf;
  for (int i = 0; i < 30; ++i)
    main_cf += "p" + std::to_string(i) + " = $p" + std::to_string(i + 1) + " $p" + std::to_string(i + 1) + "\n";
  main_cf += "p30 = reject_rbl_client zen.example\nsmtpd_sender_restrictions = $p0\n";
  const Outcome o = run_postfix("bomb", main_cf);
  EXPECT_EQ(o.status, Status::error) << dump(o);
  EXPECT_NE(o.summary.find("smtpd_sender_restrictions"), std::string::npos) << o.summary;
  EXPECT_TRUE(evidence_has(o, "parameter expansion exceeds", "/etc/postfix/main.cf", 32)) << dump(o);
}

}  // namespace
}  // namespace clinic_audit::antispam
