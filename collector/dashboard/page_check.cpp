// One check across the fleet: which hosts fail it now, and since when.
#include "exports.hpp"
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {

WebResponse check_page(PageContext& ctx) {
  const auto check_id = ctx.query("id");
  if (check_id.empty() || check_id.size() > 256) throw BadRequest{"error.bad_request"};
  const Snapshot snapshot = ctx.queries.snapshot(ctx.now);
  std::vector<const HostState*> failing;
  std::string title, severity, policy;
  for (const auto& host : snapshot.hosts) {
    for (const auto& c : host.not_passing) {
      if (c.check_id != check_id || c.status != "fail") continue;
      failing.push_back(&host);
      title = c.title, severity = c.severity, policy = c.policy_id;
      break;
    }
  }
  if (const auto format = ctx.export_format(); !format.empty()) {
    return export_response(format, "check", result_rows(ctx.queries, failing, check_id));
  }
  const std::size_t page = page_number(ctx);
  const std::size_t first = (page - 1) * kPageSize;
  std::vector<std::string> shown;
  for (std::size_t i = first; i < failing.size() && i < first + kPageSize; ++i) shown.push_back(failing[i]->machine_id);
  const auto since = ctx.queries.failing_since(check_id, shown, ctx.now);

  Html h;
  h.element("h1", check_id, {{"class", "mono"}});
  if (!title.empty()) {
    h.open("p").text(title).text(" — " + policy + " ");
    severity_badge(h, ctx, severity);
    h.close("p");
  }
  h.element("h2", ctx.t("check.failing_hosts"));
  h.element("p", std::to_string(failing.size()) + " " + std::string(ctx.t("hosts.count")), {{"class", "count"}});
  if (failing.empty()) {
    h.element("p", ctx.t("check.none"));
  } else {
    h.open("table", {{"class", "grid"}}).open("thead").open("tr");
    for (const char* key : {"hosts.hostname", "hosts.site", "check.since", "hosts.last_report"}) {
      h.element("th", ctx.t(key), {{"scope", "col"}});
    }
    h.close("tr").close("thead").open("tbody");
    for (std::size_t i = 0; i < shown.size(); ++i) {
      const HostState& host = *failing[first + i];
      h.open("tr");
      h.open("th", {{"scope", "row"}}).element("a", host.hostname, {{"href", host_link(host.machine_id)}}).close("th");
      h.element("td", host.site);
      h.element("td", since[i].failing_since ? format_time(*since[i].failing_since) : std::string{});
      h.element("td", format_time(host.started_at));
      h.close("tr");
    }
    h.close("tbody").close("table");
  }
  pagination(h, ctx, page, first + kPageSize < failing.size());
  export_links(h, ctx);
  return html_page(ctx, "check.title", h.take(), check_id);
}

}  // namespace clinic_audit::dashboard
