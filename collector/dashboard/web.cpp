#include "web.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace clinic_audit::dashboard {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

std::string WebRequest::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string{} : it->second;
}

std::string WebResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

Params parse_form(std::string_view text) {
  Params params;
  while (!text.empty() && params.size() < 200) {
    const auto amp = text.find('&');
    const auto pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    params.emplace(percent_decode(pair.substr(0, eq), true),
                   eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), true));
  }
  return params;
}

std::string param(const Params& params, const std::string& name) {
  const auto it = params.find(name);
  return it == params.end() ? std::string{} : it->second;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::from_chars(text.data(), text.data() + text.size(), id);
  return id;
}

std::optional<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/' || target.size() > kMaxTargetBytes) return std::nullopt;
  const auto question = target.find('?');
  Target parsed;
  parsed.path = percent_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) parsed.query = parse_form(target.substr(question + 1));
  if (parsed.path.find('\0') != std::string::npos || !valid_utf8(parsed.path)) return std::nullopt;
  if (parsed.path.find("/../") != std::string::npos || parsed.path.ends_with("/..")) return std::nullopt;
  return parsed;
}

std::optional<std::string> cookie(const WebRequest& request, std::string_view name) {
  const std::string all = request.header("cookie");
  std::string_view header = all;
  while (!header.empty()) {
    const auto semi = header.find(';');
    auto item = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  auto number = [](std::string_view part, int& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc{} && end == part.data() + part.size();
  };
  if (!number(text.substr(0, 4), y) || !number(text.substr(5, 2), m) || !number(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1970 || y > 9999) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch() / std::chrono::seconds{1};
}

std::string format_day(std::int64_t seconds) {
  const std::chrono::sys_days days{std::chrono::floor<std::chrono::days>(std::chrono::seconds{seconds})};
  const std::chrono::year_month_day ymd{days};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

std::string format_time(std::int64_t seconds) {
  const auto day_start = std::chrono::floor<std::chrono::days>(std::chrono::seconds{seconds});
  const auto in_day = std::chrono::seconds{seconds} - day_start;
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(in_day).count();
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(in_day).count() % 60;
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, " %02d:%02d UTC", static_cast<int>(hours), static_cast<int>(minutes));
  return format_day(seconds) + buffer;
}

}  // namespace clinic_audit::dashboard
