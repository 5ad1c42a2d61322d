// Values of sudoers(5) Option_Specs that sudo converts while parsing
// (plugins/sudoers/timeout.c parse_timeout(), gentime.c parse_gentime()).
#include <cctype>
#include <climits>
#include <cstdio>
#include <ctime>

#include "sudoers_parser.hpp"

namespace clinic_audit::sudoers {

std::optional<long long> parse_timeout(std::string_view text) {
  static constexpr std::string_view suffixes = "dhms";
  std::size_t i = 0;
  std::size_t suffix = 0;
  long long total = 0;
  do {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;  // strtol
    if (i < text.size() && text[i] == '+') ++i;
    const std::size_t digits = i;
    long long value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
      value = value * 10 + (text[i++] - '0');
      if (value > INT_MAX) return std::nullopt;
    }
    if (i == digits) return std::nullopt;
    if (i < text.size()) {
      const char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
      while (suffix < suffixes.size() && suffixes[suffix] != ch) ++suffix;
      if (suffix == suffixes.size()) return std::nullopt;
      value *= ch == 'd' ? 86400 : ch == 'h' ? 3600 : ch == 'm' ? 60 : 1;
    }
    total += value;
    if (total > INT_MAX) return std::nullopt;
  } while (i < text.size());
  return total;
}

std::optional<std::string> parse_gentime(std::string_view text) {
  // YYYYMMDDHH[MM[SS]][.fraction][Z|+hhmm|-hhmm]
  std::size_t n = 0;
  while (n < text.size() && std::isdigit(static_cast<unsigned char>(text[n])) != 0) ++n;
  if (n != 10 && n != 12 && n != 14) return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len) { return std::stoi(std::string(text.substr(at, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(8, 2);
  tm.tm_min = n >= 12 ? num(10, 2) : 0;
  tm.tm_sec = n == 14 ? num(12, 2) : 0;
  std::size_t i = n;
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
  }
  long offset = 0;
  if (i < text.size() && text[i] == 'Z') {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    const std::string_view zone = text.substr(i + 1);
    if (zone.size() != 4) return std::nullopt;
    for (char c : zone) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    }
    offset = (num(i + 1, 2) * 60 + num(i + 3, 2)) * 60L * (text[i] == '-' ? -1 : 1);
    i += 5;
  }
  if (i != text.size() || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  std::time_t t = timegm(&tm) - offset;
  std::tm out{};
  if (gmtime_r(&t, &out) == nullptr) return std::nullopt;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02d%02d%02d%02dZ", out.tm_year + 1900, out.tm_mon + 1, out.tm_mday,
                out.tm_hour, out.tm_min, out.tm_sec);
  return std::string(buffer);
}

}  // namespace clinic_audit::sudoers
