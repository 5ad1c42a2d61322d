// regexp_table(5) files, read and looked up like Postfix's dict_regexp:
// patterns are handed to the same POSIX regcomp(3) Postfix uses, with
// REG_EXTENDED and REG_ICASE on unless the i/x flags toggle them.
#include <regex.h>

#include <cctype>
#include <memory>

#include "antispam_common.hpp"
#include "i18n.hpp"
#include "postfix_parser.hpp"

namespace clinic_audit::antispam {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

RegexpTable parse_regexp_table(std::string_view text, const std::string& file) {
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
    for (; i < line.size() && !is_space(line[i]); ++i) {
      switch (line[i]) {
        case 'i': rule.icase = !rule.icase; break;
        case 'x': rule.extended = !rule.extended; break;
        case 'm': break;  // REG_NEWLINE: no effect on a one-line key
        default: bad_flag = true;
      }
    }
    // Judged after the flags: 'x' makes it a basic expression (regex(7)),
    // with its operators spelled otherwise.
    // Postfix applies such a rule (glibc compiles it, slowly): it is kept,
    // unevaluated, for lookups to report if they reach it.
    if (auto why = regex_refusal_for_lookup(rule.pattern, rule.extended ? RegexSyntax::extended : RegexSyntax::basic,
                                            &budget)) {
      table.issues.push_back({file, l.line, *why, _("a pattern this check can evaluate safely")});
      rule.unevaluated = *why;
    }
    if (bad_flag) {
      table.issues.push_back({file, l.line, l.text, _("flags among i, m, x")});
      continue;
    }
    rule.value = std::string(trim(line.substr(i)));
    if (rule.kind == RegexpRule::Kind::match && rule.value.empty()) {
      table.issues.push_back({file, l.line, l.text, _("a result after the pattern")});
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
    if (rule.negate || !groups) flags |= REG_NOSUB;
    if (regcomp(&re, rule.pattern.c_str(), flags) != 0) return std::nullopt;
    std::unique_ptr<regex_t, decltype(&regfree)> guard(&re, &regfree);
    regmatch_t m[10];
    const bool hit = regexec(&re, subject.c_str(), (flags & REG_NOSUB) ? 0 : 10, m, 0) == 0;
    if (hit && groups && !(flags & REG_NOSUB)) {
      groups->assign(10, {});
      for (std::size_t g = 0; g < 10; ++g) {
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
    std::string value;
    for (std::size_t i = 0; i < rule.value.size(); ++i) {
      const char c = rule.value[i];
      if (c == '$' && i + 1 < rule.value.size()) {
        std::size_t j = i + 1;
        const bool braced = rule.value[j] == '{' || rule.value[j] == '(';
        if (braced) ++j;
        if (j < rule.value.size() && rule.value[j] >= '0' && rule.value[j] <= '9') {
          const auto g = static_cast<std::size_t>(rule.value[j] - '0');
          if (g < groups.size()) value += groups[g];
          i = braced && j + 1 < rule.value.size() ? j + 1 : j;
          continue;
        }
        if (rule.value[i + 1] == '$') {
          value.push_back('$');
          ++i;
          continue;
        }
      }
      value.push_back(c);
    }
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
