// The result of a regexp_table(5) or pcre_table(5) rule, read as Postfix
// reads it: mac_parse(3) splits it into text and `$N`, `${N}`, `$(N)`
// references ("$$" is a dollar), and dict_regexp.c / dict_pcre.c refuse the
// whole rule ("bad replacement syntax", "out of range replacement index":
// "skipping this rule") when a reference is empty, unclosed, not a number,
// 0, or beyond the pattern's groups. A rule Postfix skips must not be
// applied here: `/^(.*)@partner\.fr$/ OK $1x` never answers OK.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::antispam {

struct Replacement {
  struct Piece {
    std::string text;       // literal text, when group == 0
    std::size_t group = 0;  // 1..: the pattern's capture group
  };
  std::vector<Piece> pieces;
  std::size_t max_group = 0;  // the highest group referred to, 0 for none

  // The result with each group's text in place (missing groups are empty).
  std::string expand(const std::vector<std::string>& groups) const;
};

// The parsed result, or nullopt and `why` (the words of Postfix's warning)
// when Postfix would skip the rule for its result alone. The group count is
// checked by the caller, who knows the pattern (max_group).
std::optional<Replacement> parse_replacement(std::string_view value, std::string& why);

}  // namespace clinic_audit::antispam
