// Real oracle: amavisd-new 2.13's own Perl (Amavis::Conf reads the fixture's
// configuration files as amavisd does; Amavis::Lookup::lookup2 answers the
// same lookups Amavis::SpamControl::white_black_list makes): for each case,
// whether @whitelist_sender_maps lets the sender through, and the sum that
// @score_sender_maps adds for a recipient, must be what the check computes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <sstream>

#include "antispam/filters.hpp"
#include "fixture_root.hpp"
#include "oracle_support.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

constexpr const char* kSender = "votre-teleconsultation@visiotlm.esante-bretagne.fr";

// Written by this test; uses only amavisd-new's installed modules.
constexpr const char* kHarness = R"PERL(use strict;
use warnings;
use Amavis::Boot;
use Amavis::Conf qw(:platform :confvars :sa c cr ca);
use Amavis::Lookup qw(lookup lookup2);
my ($sender, $recip, @files) = @ARGV;
$Amavis::Conf::i_know_what_i_am_doing{no_conf_file_writable_check} = 1;
Amavis::Conf::include_config_files(@files);
Amavis::Conf::supply_after_defaults();
my @t = @{ca('whitelist_sender_maps')};
my $wl = @t ? lookup2(0, $sender, \@t) : undef;
print "WHITELIST ", ($wl ? 1 : 0), "\n";
my $boost = 0;
my ($r_ref, $mk_ref) = lookup2(1, $recip, ca('score_sender_maps'));
for my $j (0..$#{$r_ref}) {
  my ($val, $key) = lookup2(0, $sender, $r_ref->[$j]);
  $boost += $val if defined $val && $val != 0;
}
print "SCORE ", $boost, "\n";
)PERL";

struct AmavisCase {
  std::string name;
  std::string user_conf;  // /etc/amavis/conf.d/50-user
  std::string recipient;
};

void PrintTo(const AmavisCase& c, std::ostream* os) { *os << c.name; }

std::vector<AmavisCase> cases() {
  const std::string on = "use strict;\n@bypass_spam_checks_maps = (0);\n";
  return {
      {"site_wide_dot", on + "@score_sender_maps = ({ '.' => [ { '.visiotlm.esante-bretagne.fr' => -20 } ] });\n1;\n",
       "doc@clinic.example"},
      // Issue #21 item 6: a recipient domain key, not only '.', and every matching table adds up.
      {"recipient_domain_key_adds_up",
       on + "@score_sender_maps = ({ '.' => [ { '.esante-bretagne.fr' => -6 } ],\n"
            "  '.clinic.example' => [ { 'visiotlm.esante-bretagne.fr' => -6 } ] });\n1;\n",
       "doc@clinic.example"},
      {"recipient_domain_key_other_recipient",
       on + "@score_sender_maps = ({ '.' => [ { '.esante-bretagne.fr' => -6 } ],\n"
            "  '.clinic.example' => [ { 'visiotlm.esante-bretagne.fr' => -6 } ] });\n1;\n",
       "doc@other.example"},
      {"exact_domain_key_misses_subdomain_recipient",
       on + "@score_sender_maps = ({ 'clinic.example' => [ { '.visiotlm.esante-bretagne.fr' => -20 } ] });\n1;\n",
       "doc@mail.clinic.example"},
      {"two_outer_tables",
       on +
           "@score_sender_maps = ({ '.' => [ { '.fr' => -5 } ] }, { 'doc@clinic.example' => [ { 'votre-teleconsultation@' => -7 } ] });\n1;\n",
       "doc@clinic.example"},
      {"first_match_within_a_list",
       on +
           "@score_sender_maps = ({ '.' => [ { 'visiotlm.esante-bretagne.fr' => 3 }, { '.esante-bretagne.fr' => -30 } ] });\n1;\n",
       "doc@clinic.example"},
      {"positive_score_cancels",
       on +
           "@score_sender_maps = ({ '.' => [ { '.visiotlm.esante-bretagne.fr' => -20 } ], 'doc@' => [ { '.fr' => 15 } ] });\n1;\n",
       "doc@clinic.example"},
      {"whitelist_dot_domain",
       on + "@whitelist_sender_maps = ({ '.esante-bretagne.fr' => 1 }, @whitelist_sender_maps);\n1;\n",
       "doc@clinic.example"},
      {"whitelist_exact_parent_misses", on + "@whitelist_sender_maps = ({ 'esante-bretagne.fr' => 1 });\n1;\n",
       "doc@clinic.example"},
      {"whitelist_acl_negated",
       on + "@whitelist_sender_maps = ([ '!visiotlm.esante-bretagne.fr', '.esante-bretagne.fr' ]);\n1;\n",
       "doc@clinic.example"},
      // Perl's regexp syntax in new_RE, translated to POSIX (perl_regex.hpp);
      // glibc alone read \w as "w", \x40 as "x40", \D as "D", and refused (?:.
      {"new_RE_perl_escapes_whitelist",
       on + "@whitelist_sender_maps = (new_RE(qr'^votre-\\w+\\x40visiotlm\\.esante-bretagne\\.fr$'i));\n1;\n",
       "doc@clinic.example"},
      {"new_RE_non_capturing_group_score",
       on + "@score_sender_maps = ({ '.' => [ new_RE([qr'(?:visiotlm|teleconsult)\\.esante' => -20]) ] });\n1;\n",
       "doc@clinic.example"},
      {"new_RE_class_escape_answers_first",
       on + "@whitelist_sender_maps = (new_RE([qr'^votre-\\D+@'i => 0]), { '.esante-bretagne.fr' => 1 });\n1;\n",
       "doc@clinic.example"},
  };
}

class AmavisOracle : public ::testing::TestWithParam<AmavisCase> {};

TEST_P(AmavisOracle, AgreesWithAmavisLookups) {
  if (!std::filesystem::exists("/usr/share/perl5/Amavis/Lookup.pm")) {
    GTEST_SKIP() << "amavisd-new is not installed (scripts/deps/antispam.list)";
  }
  const AmavisCase& c = GetParam();
  FixtureRoot root(fixture_dir("antispam-amavis-oracle-" + c.name));
  root.file("/usr/share/amavis/conf.d/20-package", "use strict;\n1;\n");
  root.file("/etc/amavis/conf.d/50-user", c.user_conf);
  root.file("/harness.pl", kHarness);
  const CommandResult r =
      testing::run_program("/usr/bin/perl", {root.host("/harness.pl").string(), kSender, c.recipient,
                                             root.host("/usr/share/amavis/conf.d/20-package").string(),
                                             root.host("/etc/amavis/conf.d/50-user").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream out(r.out);
  std::string word;
  int whitelisted = -1;
  double score = std::numeric_limits<double>::quiet_NaN();
  while (out >> word) {
    if (word == "WHITELIST") out >> whitelisted;
    if (word == "SCORE") out >> score;
  }
  ASSERT_NE(whitelisted, -1) << r.out << r.err;

  RootFs fs(root.path());
  SenderOptions options{*parse_sender(kSender), "", "", false, -10.0, c.recipient};
  const auto verdict = evaluate_amavis(fs, options);
  ASSERT_TRUE(verdict.has_value());
  std::string evidence;
  for (const Evidence& e : verdict->evidence)
    evidence += e.path + ":" + std::to_string(e.line.value_or(0)) + " " + e.observed + "\n";
  const bool oracle_whitelisted = whitelisted == 1 || score <= -10.0;
  EXPECT_EQ(verdict->state == FilterState::whitelisted, oracle_whitelisted)
      << "amavisd-new: whitelist " << whitelisted << ", score " << score << "\n"
      << verdict->summary << "\n"
      << evidence;
  if (!oracle_whitelisted) {
    // The fix, pasted (sh -e, paths moved into the fixture): amavisd-new's
    // own lookups must then whitelist the sender.
    ASSERT_FALSE(verdict->remediation_commands.empty()) << verdict->remediation;
    for (std::string command : verdict->remediation_commands) {
      for (std::size_t at = command.find("/etc/amavis/"); at != std::string::npos;
           at = command.find("/etc/amavis/", at + root.path().string().size() + 1)) {
        command.insert(at, root.path().string());
      }
      const CommandResult applied = testing::run_program("/bin/sh", {"-e", "-c", command});
      ASSERT_EQ(applied.exit_code, 0) << command << "\n" << applied.err;
    }
    const CommandResult fixed =
        testing::run_program("/usr/bin/perl", {root.host("/harness.pl").string(), kSender, c.recipient,
                                               root.host("/usr/share/amavis/conf.d/20-package").string(),
                                               root.host("/etc/amavis/conf.d/50-user").string()});
    EXPECT_NE(fixed.out.find("WHITELIST 1"), std::string::npos) << fixed.out << fixed.err;
  }
  if (whitelisted != 1) {
    // The sum the check found, in its evidence or summary, is amavisd's.
    std::ostringstream expected;
    expected << score;
    if (score != 0.0) {
      EXPECT_NE((verdict->summary + evidence).find(expected.str()), std::string::npos) << "score " << score << "\n"
                                                                                       << verdict->summary << "\n"
                                                                                       << evidence;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configurations, AmavisOracle, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<AmavisCase>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace clinic_audit::antispam
