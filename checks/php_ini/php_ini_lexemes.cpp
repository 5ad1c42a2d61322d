#include "php_ini_lexemes.hpp"

#include <cctype>
#include <climits>
#include <utility>

namespace clinic_audit::php::lexemes {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::optional<std::string> boolean_word(std::string_view word) {
  for (auto w : {"true", "on", "yes"}) {
    if (iequals(word, w)) return "1";
  }
  for (auto w : {"false", "off", "no", "none", "null"}) {
    if (iequals(word, w)) return "";
  }
  return std::nullopt;
}

int php_atoi(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  long long value = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    value = value * 10 + (s[i++] - '0');
    if (value > INT_MAX) value = INT_MAX;  // keep it defined; php.ini never gets near
  }
  return static_cast<int>(negative ? -value : value);
}

std::string unescape(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\' || raw[i + 1] == '$')) {
      out += raw[++i];
    } else {
      out += raw[i];
    }
  }
  return out;
}

}  // namespace clinic_audit::php::lexemes
