#include "postfix_replacement.hpp"

#include <algorithm>
#include <cctype>

namespace clinic_audit::antispam {
namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

std::string Replacement::expand(const std::vector<std::string>& groups) const {
  std::string out;
  for (const Piece& p : pieces) {
    if (p.group == 0) {
      out += p.text;
    } else if (p.group < groups.size()) {
      out += groups[p.group];
    }
  }
  return out;
}

std::optional<Replacement> parse_replacement(std::string_view value, std::string& why) {
  Replacement r;
  std::string literal;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] != '$') {
      literal.push_back(value[i++]);
      continue;
    }
    if (i + 1 < value.size() && value[i + 1] == '$') {  // mac_parse: "$$" is one dollar
      literal.push_back('$');
      i += 2;
      continue;
    }
    ++i;
    std::string_view name;
    if (i < value.size() && (value[i] == '{' || value[i] == '(')) {
      // mac_parse: up to the matching close, nested pairs of the same kind counted.
      const char open = value[i];
      const char close = open == '{' ? '}' : ')';
      int level = 1;
      std::size_t end = i + 1;
      for (; end < value.size(); ++end) {
        if (value[end] == open) ++level;
        if (value[end] == close && --level == 0) break;
      }
      if (end >= value.size()) {
        why = "truncated macro reference";
        return std::nullopt;
      }
      name = value.substr(i + 1, end - i - 1);
      i = end + 1;
    } else {
      const std::size_t start = i;
      while (i < value.size() && is_name_char(value[i])) ++i;
      name = value.substr(start, i - start);
    }
    if (name.empty()) {
      why = "empty macro name";
      return std::nullopt;
    }
    if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      why = "non-numeric replacement index \"" + std::string(name) + "\"";
      return std::nullopt;
    }
    // atoi(3) as dict_regexp_prescan: leading zeros allowed, "0" refused.
    std::size_t group = 0;
    for (const char c : name) {
      group = std::min<std::size_t>(group * 10 + static_cast<std::size_t>(c - '0'), 1000000);
    }
    if (group == 0) {
      why = "out-of-range replacement index \"" + std::string(name) + "\"";
      return std::nullopt;
    }
    if (!literal.empty()) r.pieces.push_back({std::move(literal), 0});
    literal.clear();
    r.pieces.push_back({{}, group});
    r.max_group = std::max(r.max_group, group);
  }
  if (!literal.empty()) r.pieces.push_back({std::move(literal), 0});
  return r;
}

}  // namespace clinic_audit::antispam
