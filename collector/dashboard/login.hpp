// GET/POST /login (issue #13 item 1): a form protected by a double-submit
// CSRF cookie (there is no session yet to derive a token from), throttled per
// user name and per client address, opening a session in an HttpOnly +
// Secure + SameSite=Strict cookie that expires with the session.
#pragma once

#include "language.hpp"
#include "throttle.hpp"
#include "users.hpp"
#include "web.hpp"

namespace clinic_audit::dashboard {

WebResponse login_route(const WebRequest& request, const Target& target, Lang lang, Users& users,
                        LoginThrottle& throttle, std::int64_t now);

// Where to go after login: only a local path ("/x", never "//host" or a URL).
std::string safe_next(const std::string& next);

}  // namespace clinic_audit::dashboard
