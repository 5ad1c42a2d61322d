// Compliance at date D (DESIGN §7): each host's latest report started at or
// before the end of day D (UTC), each linked to its signed original: the
// proof an auditor asks for.
#include "exports.hpp"
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {

WebResponse at_date_page(PageContext& ctx) {
  const auto date = ctx.query("date");
  std::optional<std::int64_t> day;
  if (!date.empty()) {
    day = parse_day(date);
    if (!day) throw BadRequest{"at.bad_date"};
  }
  const std::int64_t at = day ? *day + 86399 : ctx.now;
  const Snapshot snapshot = ctx.queries.snapshot(at);
  std::vector<const HostState*> hosts;
  for (const auto& host : snapshot.hosts) {
    if (host.report) hosts.push_back(&host);
  }
  if (const auto format = ctx.export_format(); !format.empty()) {
    return export_response(format, "compliance-" + format_day(at), result_rows(ctx.queries, hosts));
  }
  Html h;
  h.element("h1", ctx.t("at.title"));
  h.element("p", ctx.t("at.explain"));
  h.open("form", {{"method", "get"}, {"action", "/at"}, {"class", "filters"}});
  h.open("label", {{"for", "f-date"}}).text(ctx.t("at.date")).close("label");
  h.empty("input", {{"id", "f-date"},
                    {"name", "date"},
                    {"type", "date"},
                    {"value", day ? format_day(*day) : format_day(ctx.now)}});
  h.element("button", ctx.t("at.show"), {{"type", "submit"}});
  h.close("form");
  const std::size_t page = page_number(ctx);
  const std::size_t first = (page - 1) * kPageSize;
  h.element("p", std::to_string(hosts.size()) + " " + std::string(ctx.t("hosts.count")), {{"class", "count"}});
  h.open("table", {{"class", "grid"}}).open("thead").open("tr");
  for (const char* key :
       {"hosts.hostname", "host.started", "hosts.compliance", "host.chain", "at.signature", "host.download"}) {
    h.element("th", ctx.t(key), {{"scope", "col"}});
  }
  h.close("tr").close("thead").open("tbody");
  for (std::size_t i = first; i < hosts.size() && i < first + kPageSize; ++i) {
    const HostState& host = *hosts[i];
    h.open("tr");
    h.open("th", {{"scope", "row"}}).element("a", host.hostname, {{"href", host_link(host.machine_id)}});
    h.element("div", host.report_id, {{"class", "muted mono"}}).close("th");
    h.element("td", format_time(host.started_at));
    h.open("td");
    status_badge(h, ctx, host.stale ? "stale" : host.n_fail > 0 ? "failing" : host.n_error > 0 ? "error" : "compliant");
    h.close("td");
    h.element("td", ctx.t("chain." + host.chain), {{"class", host.chain == "ok" ? "chain-ok" : "chain-bad"}});
    // Every stored report passed signature, certificate-chain and identity
    // checks before it was stored (ingest); `clinic-audit-collector verify`
    // re-checks them all.
    h.element("td", std::string(ctx.t("at.verified")) + " " + format_time(host.received_at));
    h.open("td");
    const auto id = std::to_string(*host.report);
    h.element("a", ctx.t("host.report_file"), {{"href", "/report?id=" + id + "&part=report"}});
    h.text(" + ");
    h.element("a", ctx.t("host.signature_file"), {{"href", "/report?id=" + id + "&part=signature"}});
    h.close("td").close("tr");
  }
  h.close("tbody").close("table");
  pagination(h, ctx, page, first + kPageSize < hosts.size());
  export_links(h, ctx);
  h.element("p", ctx.t("host.verify_how"));
  h.element(
      "pre",
      "openssl cms -verify -binary -inform DER -in REPORT.json.p7s -content REPORT.json -CAfile ca.crt -purpose any");
  return html_page(ctx, "at.title", h.take(), day ? format_day(*day) : std::string{});
}

}  // namespace clinic_audit::dashboard
