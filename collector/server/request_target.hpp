// Request targets (RFC 9112 §3.2): the forms a request line may carry.
#pragma once

#include <string>
#include <string_view>

namespace clinic_audit::collector {

// The origin-form path of an absolute-form target ("https://host/path?q"
// -> "/path?q", "https://host" -> "/"), which a server must accept (RFC 9112
// §3.2.2); any other form as it is.
std::string origin_form(std::string_view target);

}  // namespace clinic_audit::collector
