// Secrets of the dashboard: session and API tokens, CSRF tokens.
//
// A session token is 32 random bytes (base64url) handed to the browser in a
// cookie and stored only as its SHA-256, so a copy of the database gives no
// usable session. The CSRF token of a signed-in form is derived from the
// session token (SHA-256 of a label and the token): a cross-site page cannot
// read the HttpOnly cookie, so it cannot compute it, and no server-wide
// secret has to be shared between collectors behind a load balancer.
// Before login, the form uses a double-submit cookie (OWASP CSRF cheat sheet).
#pragma once

#include <string>
#include <string_view>

namespace clinic_audit::dashboard {

std::string random_token();                        // 43 characters, base64url, 256 bits
std::string token_digest(std::string_view token);  // lowercase hex SHA-256
std::string csrf_for_session(std::string_view session_token);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace clinic_audit::dashboard
