#include "layout.hpp"

#include <algorithm>

#include "messages.hpp"

namespace clinic_audit::dashboard {

std::string_view PageContext::t(std::string_view key) const { return tr(lang, key); }

std::string PageContext::export_format() const {
  const auto format = query("format");
  return format == "csv" || format == "json" ? format : std::string{};
}

WebResponse html_page(const PageContext& ctx, std::string_view title_key, const std::string& main_html,
                      const std::string& title_suffix) {
  Html h;
  h.raw_literal("<!DOCTYPE html>");
  h.open("html", {{"lang", std::string(lang_code(ctx.lang))}});
  h.open("head");
  h.empty("meta", {{"charset", "utf-8"}});
  h.empty("meta", {{"name", "viewport"}, {"content", "width=device-width, initial-scale=1"}});
  std::string title(ctx.t(title_key));
  if (!title_suffix.empty()) title += " : " + title_suffix;
  h.element("title", title + " — " + std::string(ctx.t("app.title")));
  h.empty("link", {{"rel", "stylesheet"}, {"href", "/static/dashboard.css"}});
  h.close("head");
  h.open("body");
  h.element("a", ctx.t("nav.skip"), {{"class", "skip"}, {"href", "#main"}});
  h.open("header");
  h.element("p", ctx.t("app.title"), {{"class", "brand"}});
  h.open("nav", {{"aria-label", std::string(ctx.t("app.title"))}});
  h.open("ul");
  const std::pair<const char*, const char*> links[] = {{"/fleet", "nav.fleet"},
                                                       {"/hosts", "nav.hosts"},
                                                       {"/anomalies", "nav.anomalies"},
                                                       {"/at", "nav.at"}};
  for (const auto& [href, key] : links) {
    h.open("li");
    if (ctx.target.path == href) {
      h.element("a", ctx.t(key), {{"href", href}, {"aria-current", "page"}});
    } else {
      h.element("a", ctx.t(key), {{"href", href}});
    }
    h.close("li");
  }
  if (ctx.user.role == Role::admin) {
    h.open("li").element("a", ctx.t("nav.tokens"), {{"href", "/admin/tokens"}}).close("li");
  }
  h.close("ul");
  h.close("nav");
  h.open("div", {{"class", "session"}});
  h.open("span").text(ctx.t("nav.signed_in_as")).text(" ").element("strong", ctx.user.name).close("span");
  h.text(" · ");
  h.element("a", "FR", {{"href", with_params(ctx, {{"lang", "fr"}})}, {"lang", "fr"}, {"hreflang", "fr"}});
  h.text(" ");
  h.element("a", "EN", {{"href", with_params(ctx, {{"lang", "en"}})}, {"lang", "en"}, {"hreflang", "en"}});
  if (!ctx.csrf.empty()) {
    h.open("form", {{"method", "post"}, {"action", "/logout"}, {"class", "inline"}});
    h.empty("input", {{"type", "hidden"}, {"name", "csrf"}, {"value", ctx.csrf}});
    h.element("button", ctx.t("nav.logout"), {{"type", "submit"}});
    h.close("form");
  }
  h.close("div");
  h.close("header");
  h.open("main", {{"id", "main"}, {"tabindex", "-1"}});
  std::string page = h.take();
  page += main_html;
  page += "</main></body></html>";
  WebResponse response;
  response.set("Content-Type", "text/html; charset=utf-8");
  response.body = std::move(page);
  return response;
}

void status_badge(Html& h, const PageContext& ctx, const std::string& status) {
  std::string key = "status." + status;
  auto text = ctx.t(key);
  if (text == key) text = status;  // an unknown status from a report: shown as it is (escaped)
  h.element("span", text, {{"class", "badge s-" + std::string(text == status ? "unknown" : status)}});
}

void severity_badge(Html& h, const PageContext& ctx, const std::string& severity) {
  std::string key = "severity." + severity;
  auto text = ctx.t(key);
  if (text == key) text = severity;
  h.element("span", text, {{"class", "sev sev-" + std::string(text == severity ? "unknown" : severity)}});
}

std::string with_params(const PageContext& ctx, std::initializer_list<std::pair<std::string, std::string>> changes) {
  Params params = ctx.target.query;
  for (const auto& [name, value] : changes) {
    params.erase(name);
    if (!value.empty()) params.emplace(name, value);
  }
  std::string url = ctx.target.path;
  char separator = '?';
  for (const auto& [name, value] : params) {
    url += separator;
    url += url_encode(name) + "=" + url_encode(value);
    separator = '&';
  }
  return url;
}

void export_links(Html& h, const PageContext& ctx) {
  h.open("p", {{"class", "exports"}});
  h.element("a", ctx.t("export.csv"), {{"href", with_params(ctx, {{"format", "csv"}, {"page", ""}})}});
  h.text(" · ");
  h.element("a", ctx.t("export.json"), {{"href", with_params(ctx, {{"format", "json"}, {"page", ""}})}});
  h.close("p");
}

std::size_t page_number(const PageContext& ctx) {
  const auto text = ctx.query("page");
  std::size_t page = 0;
  for (const char c : text) {
    if (c < '0' || c > '9' || page > 100000) return 1;
    page = page * 10 + static_cast<std::size_t>(c - '0');
  }
  return std::max<std::size_t>(page, 1);
}

void pagination(Html& h, const PageContext& ctx, std::size_t page, bool has_next) {
  if (page <= 1 && !has_next) return;
  h.open("nav", {{"class", "pages"}, {"aria-label", std::string(ctx.t("page.page"))}});
  if (page > 1) {
    h.element("a", ctx.t("page.previous"),
              {{"href", with_params(ctx, {{"page", std::to_string(page - 1)}})}, {"rel", "prev"}});
  }
  h.text(" ").text(ctx.t("page.page")).text(" " + std::to_string(page) + " ");
  if (has_next) {
    h.element("a", ctx.t("page.next"),
              {{"href", with_params(ctx, {{"page", std::to_string(page + 1)}})}, {"rel", "next"}});
  }
  h.close("nav");
}

std::string host_link(const std::string& machine_id) { return "/host?id=" + url_encode(machine_id); }
std::string check_link(const std::string& check_id) { return "/check?id=" + url_encode(check_id); }

}  // namespace clinic_audit::dashboard
