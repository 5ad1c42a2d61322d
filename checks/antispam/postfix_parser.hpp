// Postfix configuration text: main.cf (postconf(5)), restriction lists
// (postconf(5) smtpd_*_restrictions), access tables in postmap(1) source
// format (hash:, texthash:, lmdb:, cdb: sources) and regexp_table(5) files.
// Pure: text in, typed structure out.
#pragma once

#include <map>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "postfix_replacement.hpp"

namespace clinic_audit::antispam {

// Postfix's readllines(): blank lines and lines whose first non-blank
// character is '#' are skipped; a line starting with whitespace is appended,
// as it is, to the logical line before it (postconf(5), postmap(1)).
struct LogicalLine {
  std::string text;
  int line = 0;  // where it starts
};
std::vector<LogicalLine> logical_lines(std::string_view text);

struct PostfixParam {
  std::string value;
  int line = 0;
  std::vector<int> earlier_lines;  // earlier definitions of the name, which lost (the last one wins)
};

// postconf(5): "name = value"; a line that starts with whitespace continues
// the logical line; lines whose first non-whitespace character is '#' and
// blank lines are ignored. The last definition of a name wins.
std::map<std::string, PostfixParam> parse_main_cf(std::string_view text, std::vector<Evidence>* issues,
                                                  const std::string& file);

// master.cf (master(5)): one service per logical line, "service type private
// unpriv chroot wakeup maxproc command args..."; "-o name=value" arguments
// override main.cf for that service only ("-o { name = value }" too).
struct MasterService {
  std::string service;
  std::string type;
  std::string command;
  std::vector<std::pair<std::string, std::string>> overrides;
  int line = 0;
};
std::vector<MasterService> parse_master_cf(std::string_view text);

// $name, ${name}, $(name) expansion (postconf(5) "parameter expansion"),
// with `params` giving a parameter's value; at most 20 levels deep. The
// result is capped (kMaxPostfixExpansion bytes, 10000 references): a value
// that would grow past it ("$a = $b $b", "$b = $c $c", ...) stops there and
// `error`, when given, says so; the caller must then not use the value.
inline constexpr std::size_t kMaxPostfixExpansion = 256 * 1024;
std::string postfix_expand(std::string_view value, const std::map<std::string, std::string>& params,
                           std::string* error = nullptr);

// A restriction list or table list: separated by whitespace and/or commas;
// "{ ... }" groups one element (Postfix 3.0 syntax).
std::vector<std::string> split_postfix_list(std::string_view value);

struct AccessEntry {
  std::string key;
  std::string value;
  int line = 0;
};

// postmap(1) source: "key whitespace value"; continuation lines start with
// whitespace and are appended as they are; keys folded to lower case (as
// postmap does without -f); the first of duplicate keys wins (postmap warns
// "duplicate entry" and keeps it); a key in double quotes may hold spaces.
struct AccessTable {
  std::vector<AccessEntry> entries;  // unique keys, file order
  std::vector<Evidence> issues;
  std::unordered_map<std::string, std::size_t> index;  // key -> position in entries
  const AccessEntry* find(std::string_view key) const;
  void add(AccessEntry entry);  // keeps the first of duplicate keys
};
AccessTable parse_access_table(std::string_view text, const std::string& file);

// regexp_table(5): "/pattern/flags result", "!/pattern/flags result",
// "if /pattern/flags" ... "endif". Flags: i (toggle case folding, on by
// default), x (toggle extended syntax, on by default), m (multi-line).
// pcre_table(5) has the same lines with Perl patterns (translated to POSIX,
// perl_regex.hpp) and the flags i, m, s, x, A, E, U, X.
enum class PatternDialect { posix, pcre };
struct RegexpRule {
  enum class Kind { match, if_block, endif };
  Kind kind = Kind::match;
  std::string pattern;  // as regcomp(3) takes it (a pcre pattern translated)
  bool negate = false;
  bool icase = true;
  bool extended = true;
  bool anchored = false;  // pcre's A flag: the match must start the key
  std::string value;
  Replacement replacement;  // `value` parsed (match rules)
  int line = 0;
  // Why the pattern is not handed to regcomp (regex_refusal_for_lookup),
  // empty when it is: the rule is kept, Postfix applies it, and a lookup
  // that reaches it cannot tell whether it matches.
  std::string unevaluated;
};
struct RegexpTable {
  std::vector<RegexpRule> rules;
  std::vector<Evidence> issues;
};
RegexpTable parse_regexp_table(std::string_view text, const std::string& file,
                               PatternDialect dialect = PatternDialect::posix);

struct RegexpHit {
  std::string value;  // with $1..$9 substituted
  int line = 0;
  // Non-empty: a rule (or an `if`) the lookup reached whose pattern was not
  // evaluated, and why; it may or may not match. Such entries come in order
  // with the others and do not end the lookup.
  std::string unevaluated;
};
// First matching rule, like dict_regexp_lookup; nullopt when none matches.
std::optional<RegexpHit> regexp_lookup(const RegexpTable& table, std::string_view key);
// Every matching rule in file order, at most `limit`: the first is the one
// Postfix uses, the others are the rules it never reaches.
std::vector<RegexpHit> regexp_lookup_all(const RegexpTable& table, std::string_view key, std::size_t limit);

}  // namespace clinic_audit::antispam
