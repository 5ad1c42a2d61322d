// The dashboard's view of HTTP, independent of the server (STYLE.md §10:
// each route a small function from a parsed request to a response, so tests
// call it without a socket). The collector's Beast server converts to and
// from these.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clinic_audit::dashboard {

struct WebRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // path and query, as received
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string peer;  // client address, for throttling and logs

  std::string header(const std::string& lower_name) const;
};

struct WebResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  std::string header(std::string_view name) const;
};

// application/x-www-form-urlencoded and query strings (WHATWG URL
// "application/x-www-form-urlencoded parser"): '+' is a space, %XX decoded;
// a malformed escape is kept as it is. Bounded: at most 200 pairs.
using Params = std::multimap<std::string, std::string>;
Params parse_form(std::string_view text);
std::string param(const Params& params, const std::string& name);

struct Target {
  std::string path;  // decoded, without the query
  Params query;
};
// nullopt for a target that is not an origin-form path (RFC 9112 §3.2.1) or
// whose path decodes to NUL, '..' segments or invalid UTF-8.
// A row id from a query or form: decimal digits only, the whole value
// (std::stoll took "3junk" and " 1" for 3 and 1); nullopt otherwise.
std::optional<std::int64_t> parse_id(std::string_view text);

// Longest request target the dashboard reads (longer: 414).
inline constexpr std::size_t kMaxTargetBytes = 8192;
std::optional<Target> parse_target(std::string_view target);

// Cookie header (RFC 6265 §5.4): name=value pairs separated by "; ".
std::optional<std::string> cookie(const WebRequest& request, std::string_view name);

// A date YYYY-MM-DD (UTC) -> seconds at 00:00:00; nullopt if invalid.
std::optional<std::int64_t> parse_day(std::string_view text);
std::string format_day(std::int64_t seconds);   // YYYY-MM-DD
std::string format_time(std::int64_t seconds);  // YYYY-MM-DD HH:MM UTC

}  // namespace clinic_audit::dashboard
