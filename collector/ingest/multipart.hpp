// multipart/form-data (RFC 7578 over RFC 2046 §5.1), as curl -F sends it:
// the parts `report` and `signature` of POST /api/v1/reports (DESIGN §7).
// A pure parser: bytes in, parts out, no I/O.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::collector {

class MultipartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FormPart {
  std::string name;                     // Content-Disposition name
  std::optional<std::string> filename;  // Content-Disposition filename
  std::string_view body;                // a view into the request body
};

// The boundary parameter of a multipart/form-data Content-Type; throws
// MultipartError when the type is another or the boundary is missing or
// longer than 70 characters (RFC 2046 §5.1.1).
std::string form_boundary(std::string_view content_type);

// Splits `body`; the returned views point into it. Throws MultipartError
// (truncated body, no closing delimiter, a part without headers or name,
// more than `max_parts` parts).
std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary, std::size_t max_parts = 8);

}  // namespace clinic_audit::collector
