#include "php_ini_lexemes.hpp"

#include <array>
#include <cctype>
#include <climits>
#include <utility>

namespace clinic_audit::php::lexemes {
namespace {

// Error-reporting constants of php.ini's error_reporting line (PHP manual,
// "Predefined Constants", errorfunc). Other constants are left as text.
constexpr std::array<std::pair<std::string_view, int>, 16> kConstants = {{
    {"E_ERROR", 1}, {"E_WARNING", 2}, {"E_PARSE", 4}, {"E_NOTICE", 8}, {"E_CORE_ERROR", 16},
    {"E_CORE_WARNING", 32}, {"E_COMPILE_ERROR", 64}, {"E_COMPILE_WARNING", 128}, {"E_USER_ERROR", 256},
    {"E_USER_WARNING", 512}, {"E_USER_NOTICE", 1024}, {"E_STRICT", 2048}, {"E_RECOVERABLE_ERROR", 4096},
    {"E_DEPRECATED", 8192}, {"E_USER_DEPRECATED", 16384}, {"E_ALL", 32767}}};

}  // namespace

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

bool looks_like_constant(std::string_view s) {
  if (s.size() < 2) return false;
  for (char c : s) {
    if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

std::optional<int> error_constant(std::string_view name) {
  for (const auto& [constant, value] : kConstants) {
    if (name == constant) return value;
  }
  return std::nullopt;
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
