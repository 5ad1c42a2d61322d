// Real oracle: Debian's postmap(1) compiles and queries each access table;
// our parser must hold exactly the pairs `postmap -s` dumps, answer every
// lookup key of the sender like `postmap -q`, and so find the same first hit
// as smtpd's check_sender_access would (same keys, same table). Regexp tables
// are compared on the full address, the only key smtpd gives them.
#include <gtest/gtest.h>

#include <ostream>

#include <map>
#include <sstream>

#include "antispam/antispam_check.hpp"
#include "antispam/postfix_access.hpp"
#include "common/context.hpp"
#include "fixture_root.hpp"
#include "oracle_support.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

constexpr const char* kSender = "votre-teleconsultation@visiotlm.esante-bretagne.fr";
constexpr const char* kPostmap = "/usr/sbin/postmap";

struct MapCase {
  std::string name;
  std::string type;  // hash, texthash, regexp, pcre
  std::string text;
  std::string delimiter;  // recipient_delimiter
};

MapCase mc(std::string name, std::string type, std::string text, std::string delimiter = {}) {
  return {std::move(name), std::move(type), std::move(text), std::move(delimiter)};
}

std::vector<MapCase> cases() {
  return {
      mc("domain_ok", "hash", "visiotlm.esante-bretagne.fr OK\n"),
      mc("parent_domain_ok", "hash", "esante-bretagne.fr OK\n"),
      mc("dot_parent_domain_ok", "hash", ".esante-bretagne.fr OK\n"),
      mc("address_upper_case_key", "hash", "Votre-Teleconsultation@VISIOTLM.esante-bretagne.fr OK\n"),
      mc("user_at_key", "hash", "votre-teleconsultation@ OK\nother@ REJECT\n"),
      mc("dunno_hides_parent", "hash", "visiotlm.esante-bretagne.fr DUNNO\nesante-bretagne.fr OK\n"),
      mc("address_before_parent_reject", "hash",
         "esante-bretagne.fr REJECT no thanks\nvotre-teleconsultation@visiotlm.esante-bretagne.fr OK\n"),
      mc("comments_continuations_duplicates", "hash",
         "# sender whitelist\n  # indented comment\nvisiotlm.esante-bretagne.fr 550\n   continued text\n"
         "visiotlm.esante-bretagne.fr OK\nnovalue\n\nfr\tREJECT\t \n"),
      mc("crlf_lines", "hash", "visiotlm.esante-bretagne.fr OK\r\nexample.org REJECT\r\n"),
      mc("quoted_key", "hash", "\"votre teleconsultation\"@x OK\nvisiotlm.esante-bretagne.fr   OK  e-KerMed  \n"),
      mc("texthash_tld_reject", "texthash", "fr REJECT\n.fr DUNNO\n"),
      mc("texthash_numeric", "texthash", "visiotlm.esante-bretagne.fr 20261122\n"),
      mc("delimiter_extension", "hash", "votre@visiotlm.esante-bretagne.fr OK\nvotre@ REJECT\n", "-"),
      mc("delimiter_plus_not_present", "hash", "votre@visiotlm.esante-bretagne.fr OK\n", "+"),
      mc("regexp_domain", "regexp", "/@visiotlm\\.esante-bretagne\\.fr$/ OK\n"),
      mc("regexp_parent_anchor_misses", "regexp", "/@esante-bretagne\\.fr$/ OK\n/./ DUNNO\n"),
      mc("regexp_if_endif_negation", "regexp", "if /esante-bretagne/\n!/^postmaster@/ OK\nendif\n/.*/ REJECT\n"),
      mc("regexp_case_flag", "regexp",
         "/@VISIOTLM\\.ESANTE-BRETAGNE\\.FR$/i REJECT\n/@VISIOTLM/ PREPEND X-Seen: yes\n"),
      mc("regexp_substitution", "regexp", "/^(.*)@(visiotlm)\\.(.*)$/ PREPEND X-Sender: $1 via $2 at ${3}\n"),
      mc("regexp_continuation_comments", "regexp", "# first\n/^votre-/\n  OK\n/x/ REJECT\n"),
      // Postfix skips a rule whose result it cannot expand (dict_regexp.c
      // "bad replacement syntax", "out of range replacement index"): the OK
      // below is never the answer.
      mc("regexp_bad_replacement_skipped", "regexp", "/visiotlm/ OK $1x\n/./ REJECT\n"),
      mc("regexp_out_of_range_group_skipped", "regexp", "/^(votre)/ OK $2\n/./ REJECT\n"),
      mc("regexp_trailing_dollar_skipped", "regexp", "/visiotlm/ OK $\n/./ REJECT\n"),
      mc("regexp_twelve_groups", "regexp", "/^(v)(o)(t)(r)(e)(-)(t)(e)(l)(e)(c)(o)/ PREPEND X-Seen: $12$11${10}\n"),
      mc("pcre_domain", "pcre", "/@visiotlm\\.esante-bretagne\\.fr$/ OK\n"),
      mc("pcre_perl_classes", "pcre", "/^[\\w.-]+@visiotlm\\.esante-bretagne\\.fr\\z/ OK\n"),
      mc("pcre_noncapturing_reject", "pcre", "/@(?:visiotlm|www)\\.esante-bretagne\\.fr$/ REJECT\n"),
      mc("pcre_digits_and_case", "pcre", "/^VOTRE-\\D+@/ OK\n/\\d/ REJECT\n"),
      mc("pcre_anchored_flag", "pcre", "/visiotlm/A OK\n/./ REJECT\n"),
      mc("pcre_named_group_substitution", "pcre", "/^(?<user>[^@]+)@(\\w+)\\./ PREPEND X-Sender: $1 at $2\n"),
      mc("pcre_bad_replacement_skipped", "pcre", "/(visiotlm)/ OK ${1\n/./ REJECT\n"),
      mc("pcre_out_of_range_group_skipped", "pcre", "/(?:votre)-/ OK $1\n/./ REJECT\n"),
  };
}

void PrintTo(const MapCase& c, std::ostream* os) { *os << c.name; }

class PostfixOracle : public ::testing::TestWithParam<MapCase> {};

TEST_P(PostfixOracle, AgreesWithPostmap) {
  ASSERT_TRUE(std::filesystem::exists(kPostmap))
      << "Debian's postfix is the oracle: install scripts/deps/antispam.list";
  const MapCase& c = GetParam();
  FixtureRoot root(fixture_dir("antispam-postmap-" + c.name));
  root.file("/etc/postfix/main.cf", "compatibility_level = 3.6\n");
  root.file("/etc/postfix/sender_access", c.text);
  const std::string config_dir = root.host("/etc/postfix").string();
  const std::string map = c.type + ":" + root.host("/etc/postfix/sender_access").string();
  const Sender sender = *parse_sender(kSender);

  if (c.type == "regexp" || c.type == "pcre") {
    const RegexpTable table = parse_regexp_table(c.text, "/etc/postfix/sender_access",
                                                 c.type == "pcre" ? PatternDialect::pcre : PatternDialect::posix);
    for (const std::string& key :
         {std::string(kSender), std::string("postmaster@visiotlm.esante-bretagne.fr"), std::string("x@example.org")}) {
      const CommandResult r = testing::run_program(kPostmap, {"-c", config_dir, "-q", key, map});
      ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
      const auto mine = regexp_lookup(table, key);
      std::string theirs = r.out;
      while (!theirs.empty() && theirs.back() == '\n') theirs.pop_back();
      EXPECT_EQ(mine.has_value(), r.exit_code == 0) << key << ": postmap said " << r.out << r.err;
      if (mine && r.exit_code == 0) {
        EXPECT_EQ(mine->value, theirs) << key;
      }
    }
    return;
  }

  const AccessTable table = parse_access_table(c.text, "/etc/postfix/sender_access");
  if (c.type == "hash") {
    const CommandResult build = testing::run_program(kPostmap, {"-c", config_dir, map});
    ASSERT_EQ(build.exit_code, 0) << build.err;
    const CommandResult dump = testing::run_program(kPostmap, {"-c", config_dir, "-s", map});
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    std::string bad;
    const auto pairs = testing::postmap_pairs(dump.out, bad);
    ASSERT_TRUE(pairs) << "postmap printed: " << bad;
    const std::map<std::string, std::string>& theirs = *pairs;
    std::map<std::string, std::string> mine;
    for (const AccessEntry& e : table.entries) mine[e.key] = e.value;
    EXPECT_EQ(mine, theirs);
  }
  for (const bool parent_style : {true, false}) {
    const std::vector<AccessKey> keys = sender_access_keys(sender, parent_style, c.delimiter);
    std::string input;
    for (const AccessKey& k : keys) input += k.key + "\n";
    const CommandResult r = testing::run_program(kPostmap, {"-c", config_dir, "-q", "-", map}, input);
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    std::string bad;
    const auto pairs = testing::postmap_pairs(r.out, bad);
    ASSERT_TRUE(pairs) << "postmap printed: " << bad;
    const std::map<std::string, std::string>& answered = *pairs;
    std::optional<std::pair<std::string, std::string>> oracle_first;
    for (const AccessKey& k : keys) {
      const AccessEntry* entry = table.find(k.key);
      auto it = answered.find(k.key);
      EXPECT_EQ(entry != nullptr, it != answered.end()) << "key " << k.key;
      if (entry && it != answered.end()) {
        EXPECT_EQ(entry->value, it->second) << "key " << k.key;
      }
      if (!oracle_first && it != answered.end()) oracle_first = *it;
    }
    const auto hit = lookup_fixed(table, keys);
    ASSERT_EQ(hit.has_value(), oracle_first.has_value());
    if (hit) {
      EXPECT_EQ(hit->key, oracle_first->first);
      EXPECT_EQ(hit->value, oracle_first->second);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MapFiles, PostfixOracle, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<MapCase>& param_info) { return param_info.param.name; });

// The check's own fix, applied to the table as it says ("add the line `L`
// to F", "change line N of F (...) to `L`", "... above line N"), must make
// postmap answer OK for the first key smtpd asks, and the check pass.
TEST_P(PostfixOracle, RemediationMakesPostmapAnswerOk) {
  const MapCase& c = GetParam();
  FixtureRoot root(fixture_dir("antispam-postmap-fix-" + c.name));
  root.file("/etc/postfix/main.cf", "smtpd_sender_restrictions = check_sender_access " + c.type +
                                        ":/etc/postfix/sender_access, reject_unknown_sender_domain\n" +
                                        (c.delimiter.empty() ? "" : "recipient_delimiter = " + c.delimiter + "\n"));
  root.file("/etc/postfix/sender_access", c.text);
  RootFs fs(root.path());
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, std::chrono::milliseconds(100)});
  Params params;
  params.add("sender", kSender);
  const auto check = antispam_check_type().create(params);
  const Outcome before = check->run(context);
  if (before.status == Status::pass) return;  // nothing to fix: the table already says OK
  ASSERT_EQ(before.status, Status::fail) << before.summary;
  const std::string& fix = before.remediation;
  const std::size_t open = fix.find('`', fix.find("Postfix: "));
  const std::size_t close = fix.find('`', open + 1);
  ASSERT_NE(close, std::string::npos) << fix;
  std::string line_text = fix.substr(open + 1, close - open - 1);
  std::vector<std::string> lines;
  {
    std::stringstream in(c.text);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  const std::size_t change = fix.find("change line ");
  const std::size_t above = fix.find(" above line ");
  if (change != std::string::npos && change < open) {
    const std::size_t n = std::stoul(fix.substr(change + 12));
    const std::size_t to = fix.find(") to `", change);
    ASSERT_NE(to, std::string::npos) << fix;
    line_text = fix.substr(to + 6, fix.find('`', to + 6) - to - 6);
    ASSERT_LE(n, lines.size());
    lines[n - 1] = line_text;
  } else if (above != std::string::npos) {
    const std::size_t n = std::stoul(fix.substr(above + 12));
    ASSERT_LE(n, lines.size() + 1);
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(n - 1), line_text);
  } else {
    ASSERT_NE(fix.find("add the line `"), std::string::npos) << fix;
    lines.push_back(line_text);
  }
  std::string fixed_text;
  for (const std::string& l : lines) fixed_text += l + "\n";
  root.file("/etc/postfix/sender_access", fixed_text);
  const std::string config_dir = root.host("/etc/postfix").string();
  const std::string map = c.type + ":" + root.host("/etc/postfix/sender_access").string();
  if (c.type == "hash") {
    ASSERT_EQ(testing::run_program(kPostmap, {"-c", config_dir, map}).exit_code, 0);
  }
  const Sender sender = *parse_sender(kSender);
  std::string first_answer;
  if (c.type == "regexp" || c.type == "pcre") {
    const CommandResult r = testing::run_program(kPostmap, {"-c", config_dir, "-q", kSender, map});
    first_answer = r.out;
  } else {
    for (const AccessKey& k : sender_access_keys(sender, true, c.delimiter)) {
      const CommandResult r = testing::run_program(kPostmap, {"-c", config_dir, "-q", k.key, map});
      if (r.exit_code == 0) {
        first_answer = r.out;
        break;
      }
    }
  }
  while (!first_answer.empty() && first_answer.back() == '\n') first_answer.pop_back();
  EXPECT_EQ(classify_access_value(first_answer), AccessAction::accept)
      << "postmap answers \"" << first_answer << "\" after: " << fix;
  EXPECT_EQ(check->run(context).status, Status::pass) << fix;
}

TEST(PostfixDefaults, ParentDomainMatchesSubdomainsAsInstalled) {
  ASSERT_TRUE(std::filesystem::exists("/usr/sbin/postconf"));
  const CommandResult r = testing::run_program("/usr/sbin/postconf", {"-d", "-h", "parent_domain_matches_subdomains"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string value = r.out;
  while (!value.empty() && value.back() == '\n') value.pop_back();
  EXPECT_EQ(value, kPostfixParentDomainDefault);
}

TEST(PostfixKeys, OrderFollowsCheckMailAccess) {
  const Sender sender = *parse_sender("votre-teleconsultation@visiotlm.esante-bretagne.fr");
  std::vector<std::string> parent;
  for (const auto& k : sender_access_keys(sender, true, "")) parent.push_back(k.key);
  EXPECT_EQ(parent, (std::vector<std::string>{"votre-teleconsultation@visiotlm.esante-bretagne.fr",
                                              "visiotlm.esante-bretagne.fr", "esante-bretagne.fr", "fr",
                                              "votre-teleconsultation@"}));
  std::vector<std::string> dotted;
  for (const auto& k : sender_access_keys(sender, false, "-")) dotted.push_back(k.key);
  EXPECT_EQ(dotted, (std::vector<std::string>{"votre-teleconsultation@visiotlm.esante-bretagne.fr",
                                              "votre@visiotlm.esante-bretagne.fr", "visiotlm.esante-bretagne.fr",
                                              ".esante-bretagne.fr", ".fr", "votre-teleconsultation@", "votre@"}));
}

}  // namespace
}  // namespace clinic_audit::antispam
