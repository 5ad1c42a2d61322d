// regexp_table(5) files, read and looked up like Postfix's dict_regexp:
// patterns are handed to the same POSIX regcomp(3) Postfix uses, with
// REG_EXTENDED and REG_ICASE on unless the i/x flags toggle them.
// pcre_table(5) files (dict_pcre) have the same lines; their Perl patterns
// are translated to POSIX first (perl_regex.hpp), or left unevaluated.
#include <regex.h>

#include <cctype>
#include <memory>
#include <vector>

#include "antispam_common.hpp"
#include "i18n.hpp"
#include "perl_regex.hpp"
#include "postfix_parser.hpp"

namespace clinic_audit::antispam {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The groups a POSIX pattern has (regex_t.re_nsub), or nullopt if regcomp
// refuses it (Postfix then skips the rule: it never matches).
std::optional<std::size_t> posix_groups(const RegexpRule& rule) {
  regex_t re;
  if (regcomp(&re, rule.pattern.c_str(), (rule.icase ? REG_ICASE : 0) | (rule.extended ? REG_EXTENDED : 0)) != 0) {
    return std::nullopt;
  }
  const std::size_t groups = re.re_nsub;
  regfree(&re);
  return groups;
}

// A pcre_table(5) rule's pattern in POSIX, and its Perl groups counted
// (nullopt, rule.unevaluated set, when it cannot be translated).
//
// Whether a pattern matches is the same in both; what a group captured is
// not always: Perl takes the first match its backtracking finds, POSIX the
// longest (`a?(ab)?` on "ab": Perl "a" with $1 unset, POSIX "ab"), (?:...)
// is a numbered group once translated, and U and lazy quantifiers change
// only captures. So the substituted text of a result is POSIX's (shown as
// evidence), while the action (the result's first word, what decides the
// verdict) must not depend on it: a reference there leaves the rule
// unevaluated.
std::optional<std::size_t> translate_pcre(RegexpRule& rule, bool perl_extended) {
  if (perl_extended) {
    rule.unevaluated = "the x flag (blanks and comments inside the pattern)";
    return std::nullopt;
  }
  std::string why;
  PerlGroups groups;
  const auto ere = perl_to_posix_ere(rule.pattern, why, &groups);
  if (!ere) {
    rule.unevaluated = why;
    return std::nullopt;
  }
  rule.pattern = *ere;
  rule.extended = true;
  const std::string_view value = rule.value;
  const std::string_view action = value.substr(0, value.find_first_of(" \t"));
  if (action.find('$') != std::string_view::npos && rule.replacement.max_group > 0) {
    rule.unevaluated = "a $N reference in the action word, whose captured text POSIX may not reproduce";
  }
  return groups.capturing;
}

}  // namespace

RegexpTable parse_regexp_table(std::string_view text, const std::string& file, PatternDialect dialect) {
  const bool pcre = dialect == PatternDialect::pcre;
  RegexpTable table;
  RegexCompileBudget budget;  // every lookup compiles the table's patterns: their cost is bounded per file
  int open_ifs = 0;
  for (const LogicalLine& l : logical_lines(text)) {
    std::string_view line = trim(l.text);
    RegexpRule rule;
    rule.line = l.line;
    const auto starts_word = [&line](std::string_view word) {
      return line.substr(0, word.size()) == word && (line.size() == word.size() || is_space(line[word.size()]));
    };
    if (starts_word("endif")) {
      if (open_ifs == 0) {
        table.issues.push_back({file, l.line, "endif", "a matching if (ignored)"});
        continue;
      }
      --open_ifs;
      rule.kind = RegexpRule::Kind::endif;
      table.rules.push_back(rule);
      continue;
    }
    if (starts_word("if")) {
      rule.kind = RegexpRule::Kind::if_block;
      line = trim(line.substr(2));
    }
    if (!line.empty() && line.front() == '!') {
      rule.negate = true;
      line = trim(line.substr(1));
    }
    if (line.empty()) {
      table.issues.push_back({file, l.line, l.text, "/pattern/flags result (regexp_table(5))"});
      continue;
    }
    const char delim = line.front();
    std::size_t i = 1;
    for (; i < line.size() && line[i] != delim; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) ++i;
    }
    if (i >= line.size() || std::isalnum(static_cast<unsigned char>(delim)) || is_space(delim)) {
      table.issues.push_back({file, l.line, l.text, _("a pattern enclosed in delimiters, e.g. /pattern/")});
      continue;
    }
    rule.pattern = std::string(line.substr(1, i - 1));
    ++i;
    bool bad_flag = false;
    bool perl_extended = false;
    for (; i < line.size() && !is_space(line[i]); ++i) {
      switch (line[i]) {
        case 'i': rule.icase = !rule.icase; break;
        case 'x':
          if (pcre) {
            perl_extended = !perl_extended;
          } else {
            rule.extended = !rule.extended;
          }
          break;
        case 'm':
          break;  // REG_NEWLINE / PCRE MULTILINE: no effect on a one-line key
        // pcre_table(5): DOTALL, DOLLAR_ENDONLY and (obsolete with PCRE2,
        // ignored) EXTRA change nothing on a key without a newline.
        case 's':
        case 'E':
        case 'X': bad_flag = bad_flag || !pcre; break;
        case 'A':
          bad_flag = bad_flag || !pcre;
          rule.anchored = !rule.anchored;
          break;
        case 'U':  // UNGREEDY: only what groups capture (see translate_pcre)
          bad_flag = bad_flag || !pcre;
          break;
        default: bad_flag = true;
      }
    }
    if (bad_flag) {  // "unknown regexp option: skipping this rule"
      table.issues.push_back(
          {file, l.line, l.text, pcre ? _("flags among i, m, s, x, A, E, U, X") : _("flags among i, m, x")});
      continue;
    }
    rule.value = std::string(trim(line.substr(i)));
    if (rule.kind == RegexpRule::Kind::match && rule.value.empty()) {
      table.issues.push_back({file, l.line, l.text, _("a result after the pattern")});
      continue;
    }
    if (rule.kind == RegexpRule::Kind::match) {
      // dict_regexp_prescan / dict_pcre_prescan: a result Postfix cannot
      // expand makes it skip the rule.
      std::string why;
      auto replacement = parse_replacement(rule.value, why);
      if (!replacement) {
        table.issues.push_back({file, l.line, l.text + " (" + why + ": Postfix skips this rule)",
                                _("a result whose $ references are $1..$9, ${N} or $(N), and $$ for a dollar")});
        continue;
      }
      rule.replacement = std::move(*replacement);
      if (rule.negate && rule.replacement.max_group > 0) {  // a rule that matches by not matching captured nothing
        table.issues.push_back({file, l.line,
                                l.text + " ($number found in negative match replacement text: Postfix skips this rule)",
                                _("a negated rule whose result refers to no group")});
        continue;
      }
    }
    std::optional<std::size_t> groups;
    if (pcre) groups = translate_pcre(rule, perl_extended);
    // Postfix applies a rule this check will not compile (glibc compiles
    // it, slowly): it is kept, unevaluated, for lookups to report if they
    // reach it. Judged after the flags: 'x' makes it a basic expression
    // (regex(7)), with its operators spelled otherwise.
    if (rule.unevaluated.empty()) {
      if (auto why = regex_refusal_for_lookup(rule.pattern, rule.extended ? RegexSyntax::extended : RegexSyntax::basic,
                                              &budget)) {
        table.issues.push_back({file, l.line, *why, _("a pattern this check can evaluate safely")});
        rule.unevaluated = *why;
      } else if (!pcre && rule.replacement.max_group > 0) {  // only a result with $N needs them
        groups = posix_groups(rule);
      }
    } else if (pcre) {
      table.issues.push_back({file, l.line, rule.unevaluated, _("a pattern this check can evaluate safely")});
    }
    if (groups && rule.replacement.max_group > *groups) {  // "out of range replacement index": skipped
      table.issues.push_back({file, l.line,
                              l.text + " ($" + std::to_string(rule.replacement.max_group) + ": the pattern has " +
                                  std::to_string(*groups) + " groups; Postfix skips this rule)",
                              _("a result that refers only to the pattern's groups")});
      continue;
    }
    if (rule.kind == RegexpRule::Kind::if_block) ++open_ifs;
    table.rules.push_back(std::move(rule));
  }
  return table;
}

std::vector<RegexpHit> regexp_lookup_all(const RegexpTable& table, std::string_view key, std::size_t limit) {
  std::vector<RegexpHit> hits;
  const std::string subject(key);
  const auto matches = [&subject](const RegexpRule& rule, std::vector<std::string>* groups) -> std::optional<bool> {
    regex_t re;
    int flags = (rule.icase ? REG_ICASE : 0) | (rule.extended ? REG_EXTENDED : 0);
    const bool want_groups = groups != nullptr && !rule.negate;
    if (!want_groups && !rule.anchored) flags |= REG_NOSUB;
    if (regcomp(&re, rule.pattern.c_str(), flags) != 0) return std::nullopt;
    std::unique_ptr<regex_t, decltype(&regfree)> guard(&re, &regfree);
    // Group 0 and every group the result refers to (checked against the
    // pattern's groups when the table was read).
    std::vector<regmatch_t> m(rule.replacement.max_group + 1);
    bool hit = regexec(&re, subject.c_str(), (flags & REG_NOSUB) ? 0 : m.size(), m.data(), 0) == 0;
    // PCRE's ANCHORED: a match must start at the key's first character.
    // POSIX reports the leftmost match, so one starting there is it.
    if (hit && rule.anchored) hit = m[0].rm_so == 0;
    if (hit && want_groups) {
      groups->assign(m.size(), {});
      for (std::size_t g = 0; g < m.size(); ++g) {
        if (m[g].rm_so >= 0) {
          (*groups)[g] =
              subject.substr(static_cast<std::size_t>(m[g].rm_so), static_cast<std::size_t>(m[g].rm_eo - m[g].rm_so));
        }
      }
    }
    return hit != rule.negate;
  };
  int skip_depth = 0;  // > 0 while inside an if whose pattern did not match
  for (const RegexpRule& rule : table.rules) {
    if (rule.kind == RegexpRule::Kind::endif) {
      if (skip_depth > 0) --skip_depth;
      continue;
    }
    if (skip_depth > 0 && rule.kind == RegexpRule::Kind::if_block) {
      ++skip_depth;
      continue;
    }
    if (skip_depth > 0) continue;
    if (!rule.unevaluated.empty()) {
      // An `if` of this kind is entered: its rules are looked at, each
      // after this entry that says the block may not apply.
      hits.push_back(RegexpHit{rule.value, rule.line, rule.unevaluated});
      continue;
    }
    if (rule.kind == RegexpRule::Kind::if_block) {
      if (!matches(rule, nullptr).value_or(false)) ++skip_depth;
      continue;
    }
    std::vector<std::string> groups;
    if (!matches(rule, &groups).value_or(false)) continue;
    const std::string value = rule.replacement.expand(groups);
    hits.push_back(RegexpHit{value, rule.line, {}});
    if (hits.size() >= limit) break;
  }
  return hits;
}

std::optional<RegexpHit> regexp_lookup(const RegexpTable& table, std::string_view key) {
  std::vector<RegexpHit> hits = regexp_lookup_all(table, key, 1);
  if (hits.empty()) return std::nullopt;
  return std::move(hits.front());
}

}  // namespace clinic_audit::antispam
