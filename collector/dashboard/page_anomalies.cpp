// Chain anomalies, newest first: gaps, replays, forks, restarts, identity
// changes, suspected clones (DESIGN §7), each with what it means.
#include <algorithm>

#include "exports.hpp"
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {

WebResponse anomalies_page(PageContext& ctx) {
  std::optional<std::string> kind, host;
  if (const auto k = ctx.query("kind"); !k.empty()) {
    static constexpr const char* kKinds[] = {"gap", "replay", "fork", "restart", "identity_change", "clone"};
    if (std::none_of(std::begin(kKinds), std::end(kKinds), [&](const char* known) { return k == known; })) {
      throw BadRequest{"error.bad_request"};
    }
    kind = k;
  }
  if (const auto m = ctx.query("host"); !m.empty()) host = m;
  const std::size_t page = page_number(ctx);
  const bool exporting = !ctx.export_format().empty();
  const auto items =
      ctx.queries.anomalies(host, kind, exporting ? 100000 : kPageSize + 1, exporting ? 0 : (page - 1) * kPageSize);
  if (exporting) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : items) {
      rows.push_back({a.machine_id, a.hostname, a.kind, a.detail, a.report_id, format_time(a.detected_at),
                      a.resolved_at ? format_time(*a.resolved_at) : std::string{}, a.resolution});
    }
    return export_table(ctx.export_format(), "anomalies",
                        {"machine_id", "hostname", "kind", "detail", "report_id", "detected_at", "resolved_at",
                         "resolution"},
                        rows);
  }
  Html h;
  h.element("h1", ctx.t("anomalies.title"));
  h.open("form", {{"method", "get"}, {"action", "/anomalies"}, {"class", "filters"}});
  h.open("label", {{"for", "f-kind"}}).text(ctx.t("anomalies.kind")).close("label");
  h.open("select", {{"id", "f-kind"}, {"name", "kind"}});
  h.element("option", ctx.t("hosts.any"), {{"value", ""}});
  for (const char* k : {"gap", "replay", "fork", "restart", "identity_change", "clone"}) {
    if (kind && *kind == k) {
      h.element("option", ctx.t(std::string("anomaly.") + k), {{"value", k}, {"selected", "selected"}});
    } else {
      h.element("option", ctx.t(std::string("anomaly.") + k), {{"value", k}});
    }
  }
  h.close("select");
  if (host) h.empty("input", {{"type", "hidden"}, {"name", "host"}, {"value", *host}});
  h.element("button", ctx.t("hosts.filter"), {{"type", "submit"}});
  h.close("form");
  if (items.empty()) {
    h.element("p", ctx.t("anomalies.none"));
  } else {
    h.open("table", {{"class", "grid"}}).open("thead").open("tr");
    for (const char* key :
         {"anomalies.detected", "hosts.hostname", "anomalies.kind", "anomalies.detail", "anomalies.resolved"}) {
      h.element("th", ctx.t(key), {{"scope", "col"}});
    }
    h.close("tr").close("thead").open("tbody");
    for (std::size_t i = 0; i < items.size() && i < kPageSize; ++i) {
      const auto& a = items[i];
      h.open("tr");
      h.element("td", format_time(a.detected_at));
      h.open("td")
          .element("a", a.hostname.empty() ? a.machine_id : a.hostname, {{"href", host_link(a.machine_id)}})
          .close("td");
      h.element("td", ctx.t("anomaly." + a.kind));
      h.open("td").text(a.detail);
      if (!a.report_id.empty()) h.element("div", a.report_id, {{"class", "muted mono"}});
      h.close("td");
      h.element("td", a.resolved_at ? format_time(*a.resolved_at) + " — " + a.resolution
                                    : std::string(ctx.t("anomalies.open")));
      h.close("tr");
    }
    h.close("tbody").close("table");
  }
  pagination(h, ctx, page, items.size() > kPageSize);
  export_links(h, ctx);
  return html_page(ctx, "anomalies.title", h.take());
}

}  // namespace clinic_audit::dashboard
