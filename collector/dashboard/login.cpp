#include "login.hpp"

#include <spdlog/spdlog.h>

#include "html.hpp"
#include "shell_quote.hpp"
#include "messages.hpp"
#include "tokens.hpp"

namespace clinic_audit::dashboard {
namespace {

// The double-submit token: the browser's current one when it has a
// well-formed one (two tabs, or a favicon request that bounced through the
// login page, must not invalidate the form on screen), else a new one.
std::string login_csrf(const WebRequest& request) {
  const auto current = cookie(request, "ca_login_csrf");
  if (current && current->size() == 43 &&
      current->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos) {
    return *current;
  }
  return random_token();
}

WebResponse login_form(const WebRequest& request, Lang lang, const std::string& next, std::string_view error_key,
                       int status) {
  const std::string csrf = login_csrf(request);
  Html h;
  h.raw_literal("<!DOCTYPE html>");
  h.open("html", {{"lang", std::string(lang_code(lang))}}).open("head");
  h.empty("meta", {{"charset", "utf-8"}});
  h.empty("meta", {{"name", "viewport"}, {"content", "width=device-width, initial-scale=1"}});
  h.element("title", std::string(tr(lang, "login.title")) + " — " + std::string(tr(lang, "app.title")));
  h.empty("link", {{"rel", "stylesheet"}, {"href", "/static/dashboard.css"}});
  h.close("head").open("body");
  h.open("header").element("p", tr(lang, "app.title"), {{"class", "brand"}});
  h.open("div", {{"class", "session"}});
  h.element("a", "FR", {{"href", "/login?lang=fr"}, {"lang", "fr"}});
  h.text(" ");
  h.element("a", "EN", {{"href", "/login?lang=en"}, {"lang", "en"}});
  h.close("div").close("header");
  h.open("main", {{"id", "main"}});
  h.element("h1", tr(lang, "login.title"));
  if (!error_key.empty()) h.element("p", tr(lang, error_key), {{"class", "error"}, {"role", "alert"}});
  h.open("form", {{"method", "post"}, {"action", "/login"}});
  h.empty("input", {{"type", "hidden"}, {"name", "csrf"}, {"value", csrf}});
  h.empty("input", {{"type", "hidden"}, {"name", "next"}, {"value", next}});
  h.open("p").open("label", {{"for", "user"}}).text(tr(lang, "login.user")).close("label");
  h.empty("input", {{"id", "user"},
                    {"name", "user"},
                    {"autocomplete", "username"},
                    {"required", "required"},
                    {"autofocus", "autofocus"}});
  h.close("p");
  h.open("p").open("label", {{"for", "password"}}).text(tr(lang, "login.password")).close("label");
  h.empty("input", {{"id", "password"},
                    {"name", "password"},
                    {"type", "password"},
                    {"autocomplete", "current-password"},
                    {"required", "required"}});
  h.close("p");
  h.element("button", tr(lang, "login.submit"), {{"type", "submit"}});
  h.close("form").close("main").close("body").close("html");
  WebResponse response;
  response.status = status;
  response.set("Content-Type", "text/html; charset=utf-8");
  response.set("Set-Cookie",
               "ca_login_csrf=" + csrf + "; Path=/login; Max-Age=3600; HttpOnly; Secure; SameSite=Strict");
  response.body = h.take();
  return response;
}

}  // namespace

std::string safe_next(const std::string& next) {
  if (next.size() < 1 || next.size() > 2048 || next[0] != '/' ||
      (next.size() > 1 && (next[1] == '/' || next[1] == '\\'))) {
    return "/fleet";
  }
  for (const char c : next) {
    // Control characters (DEL too: not a valid header value, RFC 9110 §5.5).
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f' || c == '\\') return "/fleet";
  }
  if (next.rfind("/login", 0) == 0) return "/fleet";
  return next;
}

WebResponse login_route(const WebRequest& request, const Target& target, Lang lang, Users& users,
                        LoginThrottle& throttle, std::int64_t now) {
  if (request.method == "GET" || request.method == "HEAD") {
    return login_form(request, lang, safe_next(param(target.query, "next")), {}, 200);
  }
  if (request.method != "POST") {
    WebResponse response;
    response.status = 405;
    response.set("Allow", "GET, HEAD, POST");  // RFC 9110 §15.5.6
    return response;
  }
  const auto form = parse_form(request.body);
  const std::string next = safe_next(param(form, "next"));
  const auto expected = cookie(request, "ca_login_csrf");
  if (!expected || expected->empty() || !constant_time_equal(param(form, "csrf"), *expected)) {
    return login_form(request, lang, next, "login.csrf", 403);
  }
  const std::string name = param(form, "user");
  // throttle.hpp: per name and address, and per address alone.
  const std::string user_key = "user:" + name.substr(0, 64) + "\n" + request.peer;
  const std::string peer_key = "peer:" + request.peer;
  const auto now_steady = LoginThrottle::Clock::now();
  if (throttle.wait_for(user_key, now_steady).count() > 0 ||
      throttle.wait_for(peer_key, now_steady, LoginThrottle::kFreeAddressFailures).count() > 0) {
    spdlog::warn("dashboard: login throttled for user '{}' from {}", escape_control(name.substr(0, 64)), request.peer);
    auto response = login_form(request, lang, next, "login.throttled", 429);
    response.set("Retry-After", "60");
    return response;
  }
  const auto user = users.authenticate(name, param(form, "password"));
  if (!user) {
    throttle.failed(user_key, now_steady);
    throttle.failed(peer_key, now_steady, LoginThrottle::kFreeAddressFailures);
    // The name as typed, control characters escaped: a line feed in it
    // would forge a log line of its own.
    spdlog::warn("dashboard: failed login for user '{}' from {}", escape_control(name.substr(0, 64)), request.peer);
    return login_form(request, lang, next, "login.failed", 401);
  }
  throttle.succeeded(user_key);
  const std::string token = users.open_session(user->name, now);
  spdlog::info("dashboard: {} signed in from {}", user->name, request.peer);
  WebResponse response;
  response.status = 303;
  response.set("Location", next);
  response.set("Set-Cookie", "ca_session=" + token + "; Path=/; Max-Age=" + std::to_string(Users::kSessionSeconds) +
                                 "; HttpOnly; Secure; SameSite=Strict");
  return response;
}

}  // namespace clinic_audit::dashboard
