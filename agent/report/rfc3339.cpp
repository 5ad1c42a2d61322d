#include "rfc3339.hpp"

#include <chrono>

namespace clinic_audit::report_output {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
bool number(std::string_view text, std::size_t& pos, std::size_t digits, int& value) {
  if (pos + digits > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char a, char b = '\0') {
  if (pos >= text.size() || (text[pos] != a && (b == '\0' || text[pos] != b))) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<double> unix_seconds(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(text, pos, 4, year) || !expect(text, pos, '-') || !number(text, pos, 2, month) ||
      !expect(text, pos, '-') || !number(text, pos, 2, day) || !expect(text, pos, 'T', 't') ||
      !number(text, pos, 2, hour) || !expect(text, pos, ':') || !number(text, pos, 2, minute) ||
      !expect(text, pos, ':') || !number(text, pos, 2, second)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  // RFC 3339 §5.7: seconds may be 60 (leap second).
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  double fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    double scale = 0.1;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += scale * (text[pos] - '0');
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_minutes = 0;
  const bool utc = expect(text, pos, 'Z', 'z');
  if (!utc && pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!number(text, pos, 2, oh) || !expect(text, pos, ':') || !number(text, pos, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
  } else if (!utc) {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  const long long local = static_cast<long long>(days) * 86400 + hour * 3600 + minute * 60 + second;
  return static_cast<double>(local - offset_minutes * 60LL) + fraction;
}

}  // namespace clinic_audit::report_output
