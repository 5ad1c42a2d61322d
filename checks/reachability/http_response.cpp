#include "http_response.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>

namespace clinic_audit::reachability {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) { return trim_right(trim_left(text, kBlanks), " \t\r"); }

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
bool parse_status_line(std::string_view line, HttpResponseHead& head, std::string* error) {
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/") return fail(error, "not an HTTP status line");
  const char major = line[5];
  const char minor = line[7];
  if (line[6] != '.' || major != '1' || !std::isdigit(static_cast<unsigned char>(minor)) || line[8] != ' ') {
    return fail(error, "not an HTTP/1.x status line");
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return fail(error, "bad HTTP status code");
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100) return fail(error, "bad HTTP status code");
  if (line.size() > 12 && line[12] != ' ') return fail(error, "bad HTTP status line");
  head.major = major - '0';
  head.minor = minor - '0';
  head.status = status;
  head.reason = std::string(trim(line.size() > 13 ? line.substr(13) : std::string_view{}));
  return true;
}

}  // namespace

std::optional<std::string> HttpResponseHead::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

bool HttpResponseHead::header_has_token(std::string_view name, std::string_view token) const {
  for (const auto& [key, value] : headers) {
    if (!iequals(key, name)) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (iequals(trim(rest.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

std::optional<std::size_t> find_head_end(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

std::optional<HttpResponseHead> parse_response_head(std::string_view head, std::string* error) {
  HttpResponseHead result;
  bool first = true;
  while (!head.empty()) {
    const auto newline = head.find('\n');
    std::string_view line = head.substr(0, newline);
    head.remove_prefix(newline == std::string_view::npos ? head.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      if (!parse_status_line(line, result, error)) return std::nullopt;
      first = false;
      continue;
    }
    if (line.empty()) break;  // end of the head
    // RFC 9112 §5.2: obsolete line folding; treat it as part of the previous value.
    if ((line.front() == ' ' || line.front() == '\t') && !result.headers.empty()) {
      result.headers.back().second += ' ';
      result.headers.back().second += trim(line);
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      fail(error, "malformed HTTP header line");
      return std::nullopt;
    }
    const std::string_view name = line.substr(0, colon);
    if (std::any_of(name.begin(), name.end(), [](char c) { return c == ' ' || c == '\t'; })) {
      fail(error, "whitespace in an HTTP header name");
      return std::nullopt;
    }
    result.headers.emplace_back(std::string(name), std::string(trim(line.substr(colon + 1))));
  }
  if (first) {
    fail(error, "empty HTTP response");
    return std::nullopt;
  }
  return result;
}

}  // namespace clinic_audit::reachability
