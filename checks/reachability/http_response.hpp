// The head of an HTTP/1.x response (status line and header fields), as a
// proxy answers CONNECT and a server answers a WebSocket upgrade. Bytes in,
// typed value out, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clinic_audit::reachability {

// Refuse to buffer more than this waiting for the end of a response head: a
// server that never sends CRLFCRLF must not make the prober grow unbounded.
inline constexpr std::size_t kMaxResponseHead = 16 * 1024;

struct HttpResponseHead {
  int major = 1;
  int minor = 1;
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received

  // First value of header `name` (case-insensitive, RFC 9110 §5.1), trimmed.
  std::optional<std::string> header(std::string_view name) const;
  // True when a comma-separated header (Connection, Upgrade) lists `token`
  // (case-insensitive, RFC 9110 §5.6.1).
  bool header_has_token(std::string_view name, std::string_view token) const;
};

// Offset just past the CRLFCRLF ending the head in `bytes`, or nullopt when
// it has not arrived yet. Bare LF LF is accepted too (RFC 9112 §2.2).
std::optional<std::size_t> find_head_end(std::string_view bytes);

// Parses a complete head (status line, fields). nullopt with `error` set
// when it is not HTTP/1.x: e.g. a TLS alert or garbage from a non-HTTP port.
std::optional<HttpResponseHead> parse_response_head(std::string_view head, std::string* error = nullptr);

}  // namespace clinic_audit::reachability
