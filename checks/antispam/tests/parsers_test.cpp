// Unit tests of the pure parsers: what each reads, and that hostile input
// (include loops, expansion bombs, pathological regexps, deep nesting) ends
// quickly with a note instead of a crash or a hang.
#include <gtest/gtest.h>

#include <chrono>

#include "antispam/amavis_parser.hpp"
#include "antispam/filters.hpp"
#include "antispam/spamassassin_score.hpp"
#include "antispam/postfix_access.hpp"
#include "antispam/ucl_parser.hpp"

namespace clinic_audit::antispam {
namespace {

TEST(SpamAssassinParser, CommentsEscapesLangAndAliases) {
  const auto d =
      parse_spamassassin_cf("  # comment\nWhitelist-From a@b.example # trailing\nlang fr welcomelist_from c@d.example\n"
                            "blacklist_from x\\#y@z.example\n");
  ASSERT_EQ(d.size(), 3U);
  EXPECT_EQ(d[0].key, "welcomelist_from");
  EXPECT_EQ(d[0].value, "a@b.example");
  EXPECT_EQ(d[0].line, 2);
  EXPECT_EQ(d[1].lang, "fr");
  EXPECT_EQ(d[2].key, "blocklist_from");
  EXPECT_EQ(d[2].value, "x#y@z.example");
}

TEST(SpamAssassinParser, GlobsCoverTheWholeAddress) {
  const std::string addr = "votre-teleconsultation@visiotlm.esante-bretagne.fr";
  EXPECT_TRUE(sa_address_matches("*@visiotlm.esante-bretagne.fr", addr));
  EXPECT_TRUE(sa_address_matches("*.esante-bretagne.fr", addr));
  EXPECT_FALSE(sa_address_matches("*@esante-bretagne.fr", addr));
  EXPECT_FALSE(sa_address_matches("visiotlm.esante-bretagne.fr", addr));
  EXPECT_TRUE(sa_relay_matches("esante-bretagne.fr", "mail.esante-bretagne.fr", ""));
  EXPECT_FALSE(sa_relay_matches("il.esante-bretagne.fr", "mail.esante-bretagne.fr", ""));
  EXPECT_TRUE(sa_relay_matches("[192.0.2]", "", "192.0.2.10"));
  EXPECT_FALSE(sa_relay_matches("[192.0.2.1]", "", "192.0.2.10"));
}

// A builder whose every include reads `text` again, counting the reads.
SaConfigBuilder serving_every_include(const std::string& text, int& reads) {
  return SaConfigBuilder([&text, &reads](const std::string&) {
    ++reads;
    return SaLoaded{text, false, ""};
  });
}

TEST(SpamAssassinParser, IncludeBombStopsWithinBudget) {
  const std::string text = "include a.cf\ninclude a.cf\ninclude a.cf\nwelcomelist_from x@y\n";
  int reads = 0;
  SaConfigBuilder builder = serving_every_include(text, reads);
  const auto start = std::chrono::steady_clock::now();
  builder.add_file("/etc/spamassassin/local.cf", text);
  EXPECT_LE(reads, 1000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_FALSE(builder.config().notes.empty());
  EXPECT_EQ(builder.config().welcomelist_from.count("x@y"), 1U);
}

// Found by fuzz_antispam_spamassassin: a file including itself twice made
// 1000 reads of a 500-byte file (seconds under ASan, a 2^20 tree without the
// file budget). A loop is named at once; distinct paths ("include x/y" nests
// one directory per level) stop at the file and byte budgets.
TEST(SpamAssassinParser, IncludeLoopIsNamedAndNotFollowed) {
  const std::string text = "include local.cf\ninclude ./local.cf\nwelcomelist_from x@y\n";
  int reads = 0;
  SaConfigBuilder builder = serving_every_include(text, reads);
  builder.add_file("/etc/spamassassin/local.cf", text);
  EXPECT_EQ(builder.config().welcomelist_from.count("x@y"), 1U);
  ASSERT_EQ(builder.config().notes.size(), 2U);  // "./local.cf" is the same file
  for (const auto& note : builder.config().notes) {
    EXPECT_NE(note.observed.find("include loop"), std::string::npos) << note.observed;
    EXPECT_EQ(note.path, "/etc/spamassassin/local.cf");
  }
  EXPECT_EQ(builder.config().notes.front().line, 1);
  EXPECT_EQ(reads, 0);
}

TEST(SpamAssassinParser, DistinctIncludePathsStopWithinBudget) {
  const std::string text = "include x/a.cf\ninclude x/b.cf\n" + std::string(4000, '#') + "\nwelcomelist_from x@y\n";
  int reads = 0;
  SaConfigBuilder builder = serving_every_include(text, reads);
  const auto start = std::chrono::steady_clock::now();
  builder.add_file("/etc/spamassassin/local.cf", text);
  EXPECT_LE(reads, 1000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(builder.config().notes.empty());
}

TEST(PostfixParser, MainCfContinuationAndLastDefinitionWins) {
  std::vector<Evidence> issues;
  const auto p =
      parse_main_cf("a = 1\n# c\nb = x,\n  y\n   # inside\n  z\na = 2\nbroken line\n", &issues, "/etc/postfix/main.cf");
  EXPECT_EQ(p.at("a").value, "2");
  EXPECT_EQ(p.at("a").line, 7);
  EXPECT_EQ(split_postfix_list(p.at("b").value), (std::vector<std::string>{"x", "y", "z"}));
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_EQ(issues[0].line, 8);
}

TEST(PostfixParser, MasterCfOverrides) {
  const auto services = parse_master_cf(
      "# comment\nsmtp inet n - y - - smtpd\n  -o smtpd_sender_restrictions=reject\n"
      "  -o { smtpd_recipient_restrictions = permit_mynetworks, reject }\npickup unix n - y 60 1 pickup\nshort line\n");
  ASSERT_EQ(services.size(), 2U);
  EXPECT_EQ(services[0].service, "smtp");
  EXPECT_EQ(services[0].command, "smtpd");
  EXPECT_EQ(services[0].line, 2);
  ASSERT_EQ(services[0].overrides.size(), 2U);
  EXPECT_EQ(services[0].overrides[1].first, "smtpd_recipient_restrictions");
  EXPECT_EQ(services[0].overrides[1].second, "permit_mynetworks, reject");
  EXPECT_EQ(services[1].command, "pickup");
}

TEST(PostfixParser, ExpansionAndGroups) {
  const std::map<std::string, std::string> params = {{"m", "hash:/etc/postfix/sender_access"}, {"x", "$m ${m} $(m)"}};
  EXPECT_EQ(postfix_expand("check_sender_access $x", params),
            "check_sender_access hash:/etc/postfix/sender_access hash:/etc/postfix/sender_access "
            "hash:/etc/postfix/sender_access");
  EXPECT_EQ(split_postfix_list("a, { b = c d }, e"), (std::vector<std::string>{"a", "b = c d", "e"}));
}

TEST(PostfixParser, ExpansionBombIsCapped) {
  std::map<std::string, std::string> params;
  for (int i = 0; i < 40; ++i)
    params["p" + std::to_string(i)] = "$p" + std::to_string(i + 1) + " $p" + std::to_string(i + 1);
  params["p40"] = "xxxxxxxxxxxxxxxx";
  const auto start = std::chrono::steady_clock::now();
  const std::string out = postfix_expand("$p0", params);
  EXPECT_LE(out.size(), 2U << 20);
  params["p40"] = "";  // an empty chain: 2^40 references, no output growth
  EXPECT_EQ(postfix_expand("$p0", params).find_first_not_of(' '), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(PostfixParser, PathologicalRegexpIsRefused) {
  const RegexpTable t = parse_regexp_table("/((a{255}){255}){255}/ REJECT\n/(a)\\1/ OK\n/ok/ OK\n", "/etc/postfix/r");
  // Never compiled, but kept: Postfix applies them, a lookup reaching them
  // says it cannot tell (PostfixSemantics.UnevaluatedRuleBeforeTheMatch...).
  ASSERT_EQ(t.rules.size(), 3U);
  EXPECT_FALSE(t.rules[0].unevaluated.empty());
  EXPECT_NE(t.rules[1].unevaluated.find("back-reference"), std::string::npos);
  EXPECT_TRUE(t.rules[2].unevaluated.empty());
  EXPECT_EQ(t.issues.size(), 2U);
  EXPECT_TRUE(lookup_regex_too_complex(std::string(5000, 'a')));
  EXPECT_FALSE(lookup_regex_too_complex("@visiotlm\\.esante-bretagne\\.fr$"));
}

// Quantifiers stacked on an empty-matching operand made glibc's regcomp run
// for minutes (found by fuzz_antispam_postfix in CI): refused in both the
// extended spelling and the basic one the 'x' flag selects, quickly, with the
// reason on the line, and a good rule after them still used.
TEST(PostfixParser, StackedQuantifiersAreRefusedInBothSyntaxes) {
  const auto start = std::chrono::steady_clock::now();
  const RegexpTable t = parse_regexp_table("/a????+++++++/ REJECT\n"
                                           "/a\\?\\?\\?\\?\\+\\+\\+\\+\\+\\+\\+/x REJECT\n"
                                           "/b*?*?*?++++++/ REJECT\n"
                                           "/a????+++++++/x OK\n"  // basic: '?' and '+' are plain characters
                                           "/esante-bretagne/ OK\n",
                                           "/etc/postfix/sender_checks");
  ASSERT_EQ(t.issues.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t.issues[i].line, static_cast<int>(i) + 1);
    EXPECT_NE(t.issues[i].observed.find("regcomp"), std::string::npos) << t.issues[i].observed;
  }
  ASSERT_EQ(t.rules.size(), 5U);
  // Every lookup reaches the three unevaluated rules first, then the match.
  for (const char* key : {"A????+++++++", "x@visiotlm.esante-bretagne.fr"}) {
    const std::vector<RegexpHit> hits = regexp_lookup_all(t, key, 8);
    ASSERT_EQ(hits.size(), 4U) << key;
    for (std::size_t i = 0; i < 3; ++i) EXPECT_FALSE(hits[i].unevaluated.empty()) << key;
    EXPECT_TRUE(hits[3].unevaluated.empty()) << key;
    EXPECT_EQ(hits[3].value, "OK") << key;
    EXPECT_EQ(hits[3].line, key[0] == 'A' ? 4 : 5) << key;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(RegexGuard, SharedByEveryAntispamLookup) {
  EXPECT_TRUE(lookup_regex_too_complex("^/usr/bin/a????+++++++++$"));
  EXPECT_TRUE(lookup_regex_too_complex("a\\?\\?\\?\\?\\+\\+\\+\\+\\+\\+\\+", RegexSyntax::basic));
  EXPECT_FALSE(lookup_regex_too_complex("a????+++++++", RegexSyntax::basic));
  EXPECT_TRUE(lookup_regex_too_complex("(a{255}){255}"));
  EXPECT_TRUE(lookup_regex_too_complex("\\(a\\{255\\}\\)\\{255\\}", RegexSyntax::basic));
  EXPECT_NE(regex_refusal_for_lookup("(a)\\1")->find("back-reference"), std::string::npos);
  // A class inside a bracket expression ends at "]]", not at ":]": what
  // follows the expression is judged as regcomp reads it (1.8 s of regcomp
  // for the first one, measured).
  EXPECT_TRUE(lookup_regex_too_complex("[[:alpha:](]a????+++++++"));
  EXPECT_FALSE(lookup_regex_too_complex("^[[:alnum:]()?+*]+@esante-bretagne\\.fr$"));
}

TEST(PostfixAccess, ActionsFollowAccess5) {
  EXPECT_EQ(classify_access_value("OK"), AccessAction::accept);
  EXPECT_EQ(classify_access_value("ok whatever"), AccessAction::accept);
  EXPECT_EQ(classify_access_value("20261122"), AccessAction::accept);  // all-numerical
  EXPECT_EQ(classify_access_value("550"), AccessAction::accept);       // still all-numerical
  EXPECT_EQ(classify_access_value("550 5.7.1 no"), AccessAction::reject);
  EXPECT_EQ(classify_access_value("REJECT"), AccessAction::reject);
  EXPECT_EQ(classify_access_value("DISCARD"), AccessAction::reject);
  EXPECT_EQ(classify_access_value("DUNNO"), AccessAction::neutral);
  EXPECT_EQ(classify_access_value("PREPEND X-Foo: bar"), AccessAction::neutral);
}

TEST(UclParser, RspamdLocalD) {
  const UclDocument doc =
      parse_ucl("# c\nRULE {\n  type = \"from\"; filter = 'email:domain'\n  map = [\"$LOCAL_CONFDIR/a.map\", b];\n"
                "  action: accept\n  /* c /* nested */ */\n}\nsection \"name\" { x = <<EOD\nline 1\nEOD\n}\n"
                ".include(try=true,priority=1) \"$CONFDIR/x.conf\"\n",
                "/etc/rspamd/local.d/multimap.conf");
  EXPECT_TRUE(doc.issues.empty());
  const UclValue* rule = doc.root.get("RULE");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->scalar("type"), "from");
  EXPECT_EQ(rule->scalar("filter"), "email:domain");
  EXPECT_EQ(rule->scalar("action"), "accept");
  ASSERT_EQ(rule->get("map")->items.size(), 2U);
  EXPECT_EQ(rule->get("map")->items[1].text, "b");
  EXPECT_EQ(doc.root.get("section")->get("name")->scalar("x"), "line 1\n");
  ASSERT_EQ(doc.macros.size(), 1U);
  EXPECT_EQ(doc.macros[0].argument, "$CONFDIR/x.conf");
}

TEST(UclParser, DeepNestingAndGarbageEndQuickly) {
  const UclDocument deep = parse_ucl(std::string(100000, '{') + std::string(100000, '['), "/f");
  EXPECT_FALSE(deep.issues.empty());
  const UclDocument junk = parse_ucl("}}]] = ;; \"unterminated", "/f");
  EXPECT_FALSE(junk.issues.empty());
}

TEST(AmavisParser, LookupTablesOfDebianConfig) {
  const auto st = parse_perl_config(
      "use strict;\n=pod\n@whitelist_sender_maps = (bad);\n=cut\n"
      "@score_sender_maps = ({ '.' => [ new_RE([qr'^x@'i => 5.0]), { '.example.org' => -3.0, } ] });\n"
      "read_hash(\\%whitelist_sender, '/etc/amavis/wl');\n@whitelist_sender_acl = qw( .a.example b.example );\n"
      "$sa_tag2_level_deflt = 6.31; # comment\n1;\n__END__\n@bypass_spam_checks_maps = (1);\n");
  ASSERT_EQ(st.size(), 4U);
  EXPECT_EQ(st[0].target, "@score_sender_maps");
  const PerlNode& tables = st[0].value.children[0].children[1];
  ASSERT_EQ(tables.kind, PerlNode::Kind::array_ref);
  EXPECT_EQ(tables.children[0].kind, PerlNode::Kind::call);
  EXPECT_EQ(tables.children[1].children[1].text, "-3.0");
  EXPECT_EQ(st[1].kind, PerlStatement::Kind::call);
  EXPECT_EQ(st[1].value.children[0].text, "%whitelist_sender");
  EXPECT_EQ(st[2].value.children.size(), 2U);
  EXPECT_EQ(st[3].value.text, "6.31");
}

TEST(AmavisParser, DeepNestingEndsQuickly) {
  const auto st = parse_perl_config("@x = " + std::string(100000, '(') + ";\n@y = (1);\n");
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(st.back().target, "@y");
}

}  // namespace
}  // namespace clinic_audit::antispam

namespace clinic_audit::antispam {
namespace {

// Issue #21 item 9: the line that wins is named, and why the other lost.
TEST(SpamAssassinParser, RemovalAndScoreOverridesNameTheLosingLine) {
  SaConfigBuilder builder([](const std::string&) { return SaLoaded{std::nullopt, true, "no such file"}; });
  builder.add_file(
      "/etc/spamassassin/a.cf",
      "welcomelist_from *@visiotlm.esante-bretagne.fr\nheader USER_IN_WELCOMELIST eval:check_from_in_welcomelist()\n"
      "score USER_IN_WELCOMELIST -100\n");
  builder.add_file("/etc/spamassassin/local.cf",
                   "unwelcomelist_from *@VISIOTLM.esante-bretagne.fr\nscore USER_IN_WELCOMELIST -1\n");
  const SaConfig& c = builder.config();
  EXPECT_TRUE(c.welcomelist_from.empty());
  bool named = false;
  for (const Evidence& e : c.notes) {
    named |= e.path == "/etc/spamassassin/local.cf" && e.line == 1 &&
             e.observed.find("/etc/spamassassin/a.cf:1") != std::string::npos;
  }
  EXPECT_TRUE(named);
  // Re-add the entry: the weight is then the later score line, and the origin names both lines.
  builder.add_file("/etc/spamassassin/zz.cf", "welcomelist_from *@visiotlm.esante-bretagne.fr\n");
  SenderOptions options{*parse_sender("votre-teleconsultation@visiotlm.esante-bretagne.fr"), "", "", false, -10.0, ""};
  const SaWeight w = sa_weight(builder.config(), options);
  ASSERT_EQ(w.hits.size(), 1U);
  EXPECT_EQ(w.hits[0].score[0], -1.0);
  EXPECT_NE(w.hits[0].score_origin.find(
                "score -1 at /etc/spamassassin/local.cf:2 (wins over -100 at /etc/spamassassin/a.cf:3"),
            std::string::npos)
      << w.hits[0].score_origin;
}

}  // namespace
}  // namespace clinic_audit::antispam
