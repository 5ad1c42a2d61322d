// Admin only: enrolment tokens (the same rows as `clinic-audit-collector
// token list|revoke`). The one state-changing form of the dashboard besides
// logout; it never touches a report.
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {

WebResponse tokens_page(PageContext& ctx) {
  const auto rows = ctx.pool.with([](SqlConnection& db) {
    return db.query(
        "SELECT id, site, created_at, expires_at, uses_allowed, uses, revoked_at FROM tokens ORDER BY id DESC");
  });
  Html h;
  h.element("h1", ctx.t("tokens.title"));
  if (rows.empty()) {
    h.element("p", ctx.t("tokens.none"));
    return html_page(ctx, "tokens.title", h.take());
  }
  h.open("table", {{"class", "grid"}}).open("thead").open("tr");
  for (const char* key :
       {"tokens.site", "tokens.created", "tokens.expires", "tokens.uses", "tokens.state", "tokens.revoke"}) {
    h.element("th", ctx.t(key), {{"scope", "col"}});
  }
  h.close("tr").close("thead").open("tbody");
  for (const auto& row : rows) {
    h.open("tr");
    h.element("td", row.text(1));
    h.element("td", format_time(row.integer(2)));
    h.element("td", row.null(3) ? std::string(ctx.t("common.never")) : format_time(row.integer(3)));
    h.element("td", row.text(5) + " / " + row.text(4), {{"class", "num"}});
    // The rule of `token list` (storage.hpp, token_refusal): a token past
    // its expiry or out of uses is not active, revoked or not.
    const char* state = !row.null(6)                               ? "tokens.revoked"
                        : !row.null(3) && row.integer(3) < ctx.now ? "tokens.expired"
                        : row.integer(5) >= row.integer(4)         ? "tokens.used_up"
                                                                   : "tokens.active";
    h.element("td", ctx.t(state));
    h.open("td");
    if (row.null(6)) {
      h.open("form", {{"method", "post"}, {"action", "/admin/tokens/revoke"}});
      h.empty("input", {{"type", "hidden"}, {"name", "csrf"}, {"value", ctx.csrf}});
      h.empty("input", {{"type", "hidden"}, {"name", "id"}, {"value", row.text(0)}});
      h.element("button", ctx.t("tokens.revoke"), {{"type", "submit"}});
      h.close("form");
    }
    h.close("td").close("tr");
  }
  h.close("tbody").close("table");
  return html_page(ctx, "tokens.title", h.take());
}

WebResponse revoke_token(PageContext& ctx) {
  const auto form = parse_form(ctx.request.body);
  const auto parsed = parse_id(param(form, "id"));
  if (!parsed) throw BadRequest{"error.bad_request"};
  const std::int64_t id = *parsed;
  ctx.pool.with([&](SqlConnection& db) {
    db.query("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", {ctx.now, id});
  });
  WebResponse response;
  response.status = 303;
  response.set("Location", "/admin/tokens");
  return response;
}

}  // namespace clinic_audit::dashboard
