// Real oracle: Debian's spamassassin 4.0, run local-only (-L, no DNS, in its
// own network namespace when possible) on a message from the sender with each
// fixture's site configuration, must show USER_IN_WELCOMELIST exactly when
// sa_match finds a welcomelist entry, USER_IN_BLOCKLIST exactly when it finds
// a blocklist entry, and the whole check must pass exactly when the first
// shows and the second does not.
#include <gtest/gtest.h>

#include <ostream>

#include <algorithm>
#include <fstream>

#include "antispam/antispam_check.hpp"
#include "antispam/filters.hpp"
#include "common/context.hpp"
#include "fixture_root.hpp"
#include "oracle_support.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

constexpr const char* kSender = "votre-teleconsultation@visiotlm.esante-bretagne.fr";
constexpr const char* kRelay = "mail.esante-bretagne.fr";
constexpr const char* kRelayIp = "192.0.2.10";  // TEST-NET-1: never routed

struct SaCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;  // in-root path, content
};

std::vector<SaCase> cases() {
  const std::string d = "/etc/spamassassin/";
  return {
      {"exact_address", {{d + "local.cf", "welcomelist_from votre-teleconsultation@visiotlm.esante-bretagne.fr\n"}}},
      {"parent_domain_glob_misses_subdomain", {{d + "local.cf", "welcomelist_from *@esante-bretagne.fr\n"}}},
      {"star_dot_domain_matches_subdomain", {{d + "local.cf", "welcomelist_from *.esante-bretagne.fr\n"}}},
      {"whitelist_alias_upper_case", {{d + "local.cf", "whitelist_from *@VISIOTLM.ESANTE-Bretagne.FR\n"}}},
      {"unwelcomelisted_again",
       {{d + "local.cf", "welcomelist_from *@visiotlm.esante-bretagne.fr\n"},
        {d + "zz_local.cf", "unwhitelist_from *@visiotlm.esante-bretagne.fr\n"}}},
      {"unwelcomelist_other_pattern_keeps_entry",
       {{d + "local.cf", "welcomelist_from *@visiotlm.esante-bretagne.fr\nunwelcomelist_from *@esante-bretagne.fr\n"}}},
      {"commented_out", {{d + "local.cf", "# welcomelist_from *@visiotlm.esante-bretagne.fr\n"}}},
      {"several_on_a_line_with_comment",
       {{d + "local.cf", "welcomelist_from a@b.example   *@visiotlm.esante-bretagne.fr # e-KerMed\n"}}},
      {"question_mark_glob", {{d + "local.cf", "welcomelist_from ?otre-teleconsultation@visiotlm.esante-bretagne.f?\n"}}},
      {"question_mark_too_short", {{d + "local.cf", "welcomelist_from ?@visiotlm.esante-bretagne.fr\n"}}},
      {"star_at_star_domain", {{d + "local.cf", "welcomelist_from *@*esante-bretagne.fr\n"}}},
      {"dashes_in_directive", {{d + "local.cf", "welcomelist-from *@visiotlm.esante-bretagne.fr\n"}}},
      {"rcvd_matching_relay",
       {{d + "local.cf", "welcomelist_from_rcvd *@visiotlm.esante-bretagne.fr esante-bretagne.fr\n"}}},
      {"rcvd_other_relay", {{d + "local.cf", "welcomelist_from_rcvd *@visiotlm.esante-bretagne.fr other.example\n"}}},
      {"rcvd_partial_label_is_not_a_domain",
       {{d + "local.cf", "welcomelist_from_rcvd *@visiotlm.esante-bretagne.fr il.esante-bretagne.fr\n"}}},
      {"rcvd_ip", {{d + "local.cf", "whitelist_from_rcvd *@visiotlm.esante-bretagne.fr [192.0.2.10]\n"}}},
      {"ifplugin_loaded",
       {{d + "local.cf",
         "ifplugin Mail::SpamAssassin::Plugin::WLBLEval\nwelcomelist_from *@visiotlm.esante-bretagne.fr\nendif\n"}}},
      {"ifplugin_not_loaded",
       {{d + "local.cf", "ifplugin Mail::SpamAssassin::Plugin::NoSuchPlugin\nwelcomelist_from "
                         "*@visiotlm.esante-bretagne.fr\nendif\n"}}},
      {"if_version_else",
       {{d + "local.cf", "if (version >= 5.000000)\nwelcomelist_from nobody@example.org\nelse\nwelcomelist_from "
                         "*@visiotlm.esante-bretagne.fr\nendif\n"}}},
      {"include_relative",
       {{d + "local.cf", "include ekermed/whitelist.inc\n"},
        {d + "ekermed/whitelist.inc", "welcomelist_from *@visiotlm.esante-bretagne.fr\n"}}},
      {"not_a_cf_file", {{d + "local.cf.dpkg-old", "welcomelist_from *@visiotlm.esante-bretagne.fr\n"}}},
      {"lang_fr_only", {{d + "local.cf", "lang fr welcomelist_from *@visiotlm.esante-bretagne.fr\n"}}},
      {"escaped_hash_is_not_a_comment", {{d + "local.cf", "welcomelist_from *@visiotlm.esante-bretagne.fr\\#x\n"}}},
      {"welcomelisted_and_blocklisted",
       {{d + "local.cf", "welcomelist_from *@visiotlm.esante-bretagne.fr\nblocklist_from *.esante-bretagne.fr\n"}}},
      {"blocklisted_then_unblocklisted",
       {{d + "local.cf", "welcomelist_from *@visiotlm.esante-bretagne.fr\nblacklist_from *.esante-bretagne.fr\n"
                         "unblocklist_from *.esante-bretagne.fr\n"}}},
  };
}

void PrintTo(const SaCase& c, std::ostream* os) { *os << c.name; }

std::string message() {
  return std::string("Return-Path: <") + kSender +
         ">\n"
         "Received: from mail.esante-bretagne.fr (mail.esante-bretagne.fr [192.0.2.10])\n"
         "\tby mx.clinic.example (Postfix) with ESMTP id 4ABC\n"
         "\tfor <doc@clinic.example>; Sun, 22 Nov 2026 10:00:00 +0000 (UTC)\n"
         "From: " +
         kSender +
         "\n"
         "To: doc@clinic.example\n"
         "Subject: Invitation a une teleconsultation\n"
         "Date: Sun, 22 Nov 2026 10:00:00 +0000\n"
         "Message-ID: <abcdef123456@visiotlm.esante-bretagne.fr>\n\n"
         "Bonjour, votre teleconsultation commence a 10h.\n";
}

// spamassassin -L -t on the message, with only the fixture's site configuration.
CommandResult run_spamassassin(const FixtureRoot& root, const std::string& home, const std::string& prefs) {
  std::vector<std::string> args = {"-L", "-t", "--siteconfigpath=" + root.host("/etc/spamassassin").string(),
                                   "--prefspath=" + prefs};
  if (testing::can_unshare_network()) {
    args.insert(args.begin(), {"-n", "/usr/bin/spamassassin"});
    return testing::run_program("/usr/bin/unshare", args, message(), home);
  }
  return testing::run_program("/usr/bin/spamassassin", args, message(), home);
}

class SpamAssassinOracle : public ::testing::TestWithParam<SaCase> {};

TEST_P(SpamAssassinOracle, AgreesWithSpamassassin) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/spamassassin"))
      << "Debian's spamassassin is the oracle: install scripts/deps/antispam.list";
  const SaCase& c = GetParam();
  FixtureRoot root(fixture_dir("antispam-sa-oracle-" + c.name));
  // Debian ships its loadplugin lines in /etc/spamassassin/*.pre: a fixture
  // of a Debian machine has them too.
  for (const auto& entry : std::filesystem::directory_iterator("/etc/spamassassin")) {
    if (entry.path().extension() == ".pre") {
      root.file("/etc/spamassassin/" + entry.path().filename().string(), testing::read_text(entry.path()));
    }
  }
  for (const auto& [path, content] : c.files) root.file(path, content);
  const std::string home = (root.path() / "home").string();
  std::filesystem::create_directories(home);
  const std::string prefs = home + "/user_prefs";
  root.file("/home/user_prefs", "# empty: only the fixture's site configuration counts\n");

  const CommandResult r = run_spamassassin(root, home, prefs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> rules = testing::spam_status_tests(r.out);
  ASSERT_FALSE(rules.empty()) << r.out;
  const auto hit = [&rules](const char* rule) { return std::find(rules.begin(), rules.end(), rule) != rules.end(); };

  RootFs fs(root.path());
  SenderOptions options{*parse_sender(kSender), kRelay, kRelayIp, false, -10.0};
  const SaMatch match = sa_match(load_spamassassin_site(fs, "/etc/spamassassin"), options);
  EXPECT_EQ(match.welcomelist.has_value(), hit("USER_IN_WELCOMELIST")) << r.out;
  EXPECT_EQ(match.blocklist.has_value(), hit("USER_IN_BLOCKLIST")) << r.out;

  // The whole check, SpamAssassin being the only filter of this root.
  Params params;
  params.add("sender", kSender);
  params.add("relay", std::string(kRelay) + " [" + kRelayIp + "]");
  params.add("authenticated", "false");
  auto check = antispam_check_type().create(params);
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, std::chrono::milliseconds(100)});
  const Outcome outcome = check->run(context);
  const bool oracle_pass = hit("USER_IN_WELCOMELIST") && !hit("USER_IN_BLOCKLIST");
  EXPECT_EQ(outcome.status, oracle_pass ? Status::pass : Status::fail) << outcome.summary << "\n" << r.out;

  // The fix the check gives ("add the line `...` to FILE"), applied to the
  // fixture, must make spamassassin itself welcomelist the sender.
  if (outcome.status != Status::fail || hit("USER_IN_BLOCKLIST")) return;
  const std::string& fix = outcome.remediation;
  const std::size_t open = fix.find('`');
  const std::size_t close = fix.find('`', open + 1);
  const std::size_t to = fix.find(" end of ", close);
  ASSERT_TRUE(open != std::string::npos && close != std::string::npos && to != std::string::npos) << fix;
  const std::string line = fix.substr(open + 1, close - open - 1);
  const std::string file = fix.substr(to + 8, fix.find_first_of(" \n", to + 8) - to - 8);
  ASSERT_EQ(file.rfind("/etc/spamassassin/", 0), 0U) << fix;
  {
    std::ofstream out(root.host(file), std::ios::app);
    out << "\n" << line << "\n";
  }
  const CommandResult fixed = run_spamassassin(root, home, prefs);
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  const auto after = testing::spam_status_tests(fixed.out);
  EXPECT_NE(std::find(after.begin(), after.end(), "USER_IN_WELCOMELIST"), after.end()) << line << "\n" << fixed.out;
  EXPECT_EQ(check->run(context).status, Status::pass) << line;
}

INSTANTIATE_TEST_SUITE_P(Configurations, SpamAssassinOracle, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<SaCase>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace clinic_audit::antispam
