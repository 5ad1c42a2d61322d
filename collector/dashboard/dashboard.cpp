#include "dashboard.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "dashboard_schema.hpp"
#include "exports.hpp"
#include "layout.hpp"
#include "login.hpp"
#include "messages.hpp"
#include "pages.hpp"
#include "read_api.hpp"
#include "static_assets.hpp"
#include "tokens.hpp"

namespace clinic_audit::dashboard {

struct Dashboard::Impl {
  StaticAssets assets;
};

namespace {

// Headers on every dashboard response (issue #13 item 6; OWASP Secure
// Headers): no inline script or style, no framing, no referrer, no caching
// of pages that show a fleet's weaknesses.
void security_headers(WebResponse& response) {
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
               " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Strict-Transport-Security", "max-age=31536000");
  if (response.header("Cache-Control").empty()) response.set("Cache-Control", "no-store");
}

WebResponse redirect(std::string location) {
  WebResponse response;
  response.status = 303;
  response.set("Location", std::move(location));
  return response;
}

WebResponse plain(int status, std::string_view text) {
  WebResponse response;
  response.status = status;
  response.set("Content-Type", "text/plain; charset=utf-8");
  response.body = std::string(text);
  return response;
}

// A Bearer token (scripts) or the session cookie (browsers).
struct Auth {
  std::optional<User> user;
  std::string session_token;  // empty for a Bearer token
};

Auth authenticate(Users& users, const WebRequest& request, std::int64_t now) {
  const auto authorization = request.header("authorization");
  // The scheme is case-insensitive (RFC 9110 §11.1): "bearer" too.
  if (authorization.size() > 7 && authorization[6] == ' ' &&
      std::equal(authorization.begin(), authorization.begin() + 6, "bearer",
                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
    return {users.api_token_user(authorization.substr(7)), {}};
  }
  if (const auto token = cookie(request, "ca_session")) {
    if (auto user = users.session_user(*token, now)) return {std::move(user), *token};
  }
  return {};
}

Lang choose_lang(const WebRequest& request, const Target& target, const std::optional<User>& user) {
  Lang lang = Lang::fr;
  if (parse_lang(param(target.query, "lang"), lang)) return lang;
  if (user && parse_lang(user->lang, lang)) return lang;
  if (const auto chosen = cookie(request, "ca_lang"); chosen && parse_lang(*chosen, lang)) return lang;
  return lang_from_accept_language(request.header("accept-language"));
}

}  // namespace

Dashboard::Dashboard(DashboardConfig config)
    : config_(std::move(config)),
      pool_(config_.database_url, config_.max_connections),
      users_(pool_),
      queries_(pool_, config_.stale_after_seconds),
      trend_(pool_, queries_),
      impl_(std::make_unique<Impl>(Impl{StaticAssets(config_.chart_js)})) {
  pool_.with([](SqlConnection& db) { migrate_dashboard(db); });
}

Dashboard::~Dashboard() = default;

bool Dashboard::owns(const std::string& method, const std::string& target) {
  const auto path = target.substr(0, target.find('?'));
  if (path == "/healthz" || path == "/metrics") return false;
  if (method == "POST" && (path == "/api/v1/reports" || path == "/api/v1/enroll")) return false;
  return true;
}

WebResponse Dashboard::handle(const WebRequest& request, std::int64_t now) {
  WebResponse response;
  const auto target = parse_target(request.target);
  if (!target) {
    // RFC 9112 §3: a target longer than the server handles is 414.
    response = request.target.size() > kMaxTargetBytes ? plain(414, "request target too long")
                                                       : plain(400, "bad request target");
    security_headers(response);
    return response;
  }
  const std::string& path = target->path;
  try {
    if (request.method == "GET" || request.method == "HEAD") {
      if (auto asset = impl_->assets.find(path)) {
        response.set("Content-Type", std::string(asset->content_type));
        response.set("Cache-Control", "public, max-age=86400");
        response.body = std::move(asset->body);
        security_headers(response);
        return response;
      }
    }
    if (path == "/favicon.ico") {
      response = plain(404, "no icon");  // browsers ask for it: answer without a login redirect
      security_headers(response);
      return response;
    }
    Auth auth = authenticate(users_, request, now);
    const Lang lang = choose_lang(request, *target, auth.user);
    const bool api = path.rfind("/api/", 0) == 0;
    if (path == "/login") {
      response = login_route(request, *target, lang, users_, throttle_, now);
    } else if (!auth.user) {
      if (api) {
        response.status = 401;
        response.set("Content-Type", "application/json");
        response.set("WWW-Authenticate", "Bearer");
        response.body =
            R"json({"error":"authentication required: a dashboard session or an API token (user token NAME)"})json";
      } else if (request.method == "GET" || request.method == "HEAD") {
        response = redirect("/login?next=" + url_encode(request.target));
      } else {
        response = plain(401, tr(lang, "login.csrf"));
      }
    } else {
      PageContext ctx{request,
                      *target,
                      lang,
                      *auth.user,
                      auth.session_token.empty() ? std::string{} : csrf_for_session(auth.session_token),
                      now,
                      queries_,
                      trend_,
                      pool_};
      if (request.method == "POST") {
        // Every state-changing form carries the session's CSRF token.
        const auto form = parse_form(request.body);
        if (ctx.csrf.empty() || !constant_time_equal(param(form, "csrf"), ctx.csrf)) {
          response = plain(403, tr(lang, "login.csrf"));
        } else if (path == "/logout") {
          users_.close_session(auth.session_token);
          response = redirect("/login");
          response.set("Set-Cookie", "ca_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
        } else if (path == "/admin/tokens/revoke") {
          response = ctx.user.role == Role::admin ? revoke_token(ctx) : plain(403, tr(lang, "error.forbidden"));
        } else {
          response = plain(405, "method not allowed");
          response.set("Allow", "GET, HEAD");
        }
      } else if (request.method != "GET" && request.method != "HEAD") {
        // RFC 9110 §9.1: GET and HEAD on every page; 405 says what is allowed (§15.5.6).
        response = plain(405, "method not allowed");
        response.set("Allow", path == "/logout" || path == "/admin/tokens/revoke" ? "POST" : "GET, HEAD");
      } else if (api) {
        response = read_api(ctx);
      } else if (path == "/") {
        response = redirect("/fleet");
      } else if (path == "/fleet") {
        response = fleet_page(ctx);
      } else if (path == "/hosts") {
        response = hosts_page(ctx);
      } else if (path == "/host") {
        response = host_page(ctx);
      } else if (path == "/report") {
        response = report_download(ctx);
      } else if (path == "/check") {
        response = check_page(ctx);
      } else if (path == "/anomalies") {
        response = anomalies_page(ctx);
      } else if (path == "/at") {
        response = at_date_page(ctx);
      } else if (path == "/admin/tokens") {
        response = ctx.user.role == Role::admin ? tokens_page(ctx) : plain(403, tr(lang, "error.forbidden"));
      } else {
        response = plain(404, tr(lang, "error.not_found"));
      }
    }
    if (Lang chosen{}; parse_lang(param(target->query, "lang"), chosen)) {
      response.set("Set-Cookie",
                   "ca_lang=" + std::string(lang_code(chosen)) + "; Path=/; Max-Age=31536000; Secure; SameSite=Strict");
    }
  } catch (const BadRequest& bad) {
    const Lang lang = lang_from_accept_language(request.header("accept-language"));
    response = plain(400, tr(lang, bad.message_key));
  } catch (const std::exception& e) {
    // The browser gets no stack trace nor SQL text; the log gets the cause.
    spdlog::error("dashboard: {} {}: {}", request.method, path, e.what());
    response = plain(500, tr(lang_from_accept_language(request.header("accept-language")), "error.internal"));
  }
  // HEAD: the server sends the headers GET would have, Content-Length
  // included, and no body (collector/server/server.cpp).
  security_headers(response);
  return response;
}

}  // namespace clinic_audit::dashboard
