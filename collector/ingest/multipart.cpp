#include "multipart.hpp"

#include <algorithm>
#include <cctype>

#include "common/text.hpp"

namespace clinic_audit::collector {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Optional whitespace around header values and parameters: space and tab
// (RFC 9110 §5.6.3, RFC 7578 §4.2).
std::string_view ows_trim(std::string_view text) { return trim(text, kBlanks); }

// A parameter of a header value: name=token or name="quoted" (RFC 7578 §4.2,
// RFC 2045 §5.1). Backslash escapes in quoted strings are honoured.
std::optional<std::string> parameter(std::string_view value, std::string_view wanted) {
  std::size_t at = value.find(';');
  while (at != std::string_view::npos) {
    std::string_view rest = value.substr(at + 1);
    const auto equals = rest.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string name = lower(ows_trim(rest.substr(0, equals)));
    rest = ows_trim(rest.substr(equals + 1));
    std::string parsed;
    std::size_t consumed = 0;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        parsed += rest[i];
      }
      if (i >= rest.size()) throw MultipartError("unterminated quoted parameter " + name);
      consumed = i + 1;
    } else {
      consumed = std::min(rest.find(';'), rest.size());
      parsed = std::string(ows_trim(rest.substr(0, consumed)));
    }
    if (name == wanted) return parsed;
    const auto next = rest.find(';', consumed);
    if (next == std::string_view::npos) return std::nullopt;
    at = static_cast<std::size_t>(rest.data() + next - value.data());
  }
  return std::nullopt;
}

}  // namespace

std::string form_boundary(std::string_view content_type) {
  const std::string type = lower(ows_trim(content_type.substr(0, content_type.find(';'))));
  if (type != "multipart/form-data") {
    throw MultipartError("Content-Type is \"" + std::string(ows_trim(content_type.substr(0, 100))) +
                         "\", not multipart/form-data with the parts report and signature");
  }
  const auto boundary = parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) {
    throw MultipartError("multipart/form-data without a valid boundary parameter (1 to 70 characters)");
  }
  return *boundary;
}

std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary, std::size_t max_parts) {
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter may be preceded by a preamble (RFC 2046 §5.1.1).
  std::size_t at = body.starts_with(delimiter) ? 0 : body.find("\r\n" + delimiter);
  if (at == std::string_view::npos) throw MultipartError("no multipart boundary in the body");
  if (at != 0) at += 2;
  at += delimiter.size();
  std::vector<FormPart> parts;
  const std::string next_delimiter = "\r\n" + delimiter;
  while (true) {
    if (body.substr(at, 2) == "--") return parts;  // close delimiter
    // Transport padding (white space) then CRLF after a delimiter.
    while (at < body.size() && (body[at] == ' ' || body[at] == '\t')) ++at;
    if (body.substr(at, 2) != "\r\n")
      throw MultipartError("truncated multipart body (a delimiter is not followed by CRLF)");
    at += 2;
    const auto headers_end = body.find("\r\n\r\n", at);
    const auto part_end = body.find(next_delimiter, at);
    if (part_end == std::string_view::npos) throw MultipartError("truncated multipart body (no closing boundary)");
    if (parts.size() == max_parts) throw MultipartError("more than " + std::to_string(max_parts) + " parts");
    FormPart part;
    if (headers_end == std::string_view::npos || headers_end + 2 > part_end) {
      throw MultipartError("a multipart part has no header block");
    }
    std::string_view headers = body.substr(at, headers_end - at);
    while (!headers.empty()) {
      const auto eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) throw MultipartError("malformed part header line");
      if (lower(ows_trim(line.substr(0, colon))) != "content-disposition") continue;
      const std::string_view value = line.substr(colon + 1);
      if (lower(ows_trim(value.substr(0, value.find(';')))) != "form-data") {
        throw MultipartError("part Content-Disposition is not form-data");
      }
      part.name = parameter(value, "name").value_or("");
      part.filename = parameter(value, "filename");
    }
    if (part.name.empty()) throw MultipartError("a multipart part has no Content-Disposition name");
    // An empty part ends its header block right at the delimiter, whose
    // CRLF is then the blank line's (RFC 2046 §5.1.1: body-part :=
    // MIME-part-headers [CRLF *OCTET]): part_end is headers_end + 2.
    const auto body_start = headers_end + 4;
    // An empty view still inside the body (the fuzz target checks every
    // part's view lies within it).
    part.body = part_end >= body_start ? body.substr(body_start, part_end - body_start) : body.substr(part_end, 0);
    parts.push_back(std::move(part));
    at = part_end + next_delimiter.size();
    if (at > body.size()) throw MultipartError("truncated multipart body");
  }
}

}  // namespace clinic_audit::collector
