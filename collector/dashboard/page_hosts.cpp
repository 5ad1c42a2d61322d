// Hosts: sortable, filterable (policy, state, failing check, site, stale for
// more than N days, chain anomaly, text search), paginated; each filter a
// query parameter, so a list is a URL (bookmark, export, curl).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "exports.hpp"
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {
namespace {

bool contains_folded(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return true;
  auto fold = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  return fold(haystack).find(fold(needle)) != std::string::npos;
}

std::string host_state(const HostState& host, const std::string& policy) {
  if (!host.report) return "never";
  if (host.stale) return "stale";
  bool any_error = false;
  for (const auto& [id, state] : host.policies) {
    if (!policy.empty() && id != policy) continue;
    if (state == PolicyState::failing) return "failing";
    any_error = any_error || state == PolicyState::error;
  }
  return any_error ? "error" : "compliant";
}

void select(Html& h, const PageContext& ctx, const char* name, const char* label_key,
            const std::set<std::string>& options, const std::string& current) {
  const std::string id = std::string("f-") + name;
  h.open("label", {{"for", id}}).text(ctx.t(label_key)).close("label");
  h.open("select", {{"id", id}, {"name", name}});
  h.element("option", ctx.t("hosts.any"), {{"value", ""}});
  for (const auto& option : options) {
    if (option == current) {
      h.element("option", option, {{"value", option}, {"selected", "selected"}});
    } else {
      h.element("option", option, {{"value", option}});
    }
  }
  h.close("select");
}

}  // namespace

std::vector<const HostState*> filter_hosts(const PageContext& ctx, const Snapshot& snapshot) {
  const auto policy = ctx.query("policy");
  const auto state = ctx.query("state");
  const auto check = ctx.query("check");
  const auto site = ctx.query("site");
  const auto q = ctx.query("q");
  const bool anomaly = ctx.query("anomaly") == "1";
  std::int64_t stale_days = -1;
  if (const auto text = ctx.query("stale"); !text.empty()) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), stale_days);
    if (ec != std::errc{} || end != text.data() + text.size() || stale_days < 0 || stale_days > 100000) {
      throw BadRequest{"error.bad_request"};
    }
  }
  std::vector<const HostState*> out;
  for (const auto& host : snapshot.hosts) {
    if (!policy.empty() && host.report && !host.policies.contains(policy)) continue;
    if (!state.empty() && host_state(host, policy) != state) continue;
    if (!site.empty() && host.site != site) continue;
    if (anomaly && host.open_anomalies == 0) continue;
    if (stale_days >= 0 && host.report && snapshot.at - host.started_at <= stale_days * 86400) continue;
    if (!check.empty() && std::none_of(host.not_passing.begin(), host.not_passing.end(),
                                       [&](const CheckRef& c) { return c.check_id == check && c.status == "fail"; })) {
      continue;
    }
    if (!q.empty() && !contains_folded(host.hostname, q) && !contains_folded(host.machine_id, q) &&
        !contains_folded(host.site, q)) {
      continue;
    }
    out.push_back(&host);
  }
  const auto sort = ctx.query("sort");
  if (sort == "last") {
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->started_at < b->started_at; });
  } else if (sort == "failing") {
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->n_fail > b->n_fail; });
  } else if (sort == "anomalies") {
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->open_anomalies > b->open_anomalies; });
  }
  return out;
}

WebResponse hosts_page(PageContext& ctx) {
  const Snapshot snapshot = ctx.queries.snapshot(ctx.now);
  const auto hosts = filter_hosts(ctx, snapshot);
  if (const auto format = ctx.export_format(); !format.empty()) {
    return export_response(format, "hosts", result_rows(ctx.queries, hosts, ctx.query("check"), ctx.query("policy")));
  }
  std::set<std::string> policies, sites, checks;
  for (const auto& host : snapshot.hosts) {
    for (const auto& [policy, state] : host.policies) policies.insert(policy);
    if (!host.site.empty()) sites.insert(host.site);
    for (const auto& c : host.not_passing) {
      if (c.status == "fail") checks.insert(c.check_id);
    }
  }
  Html h;
  h.element("h1", ctx.t("hosts.title"));
  h.open("form", {{"method", "get"}, {"action", "/hosts"}, {"class", "filters"}});
  h.open("label", {{"for", "f-q"}}).text(ctx.t("hosts.search")).close("label");
  h.empty("input", {{"id", "f-q"}, {"name", "q"}, {"type", "search"}, {"value", ctx.query("q")}});
  select(h, ctx, "policy", "hosts.policy", policies, ctx.query("policy"));
  select(h, ctx, "state", "hosts.compliance", {"compliant", "error", "failing", "never", "stale"}, ctx.query("state"));
  select(h, ctx, "check", "hosts.failing_check", checks, ctx.query("check"));
  select(h, ctx, "site", "hosts.site", sites, ctx.query("site"));
  h.open("label", {{"for", "f-stale"}}).text(ctx.t("hosts.stale_days")).close("label");
  h.empty("input",
          {{"id", "f-stale"}, {"name", "stale"}, {"type", "number"}, {"min", "0"}, {"value", ctx.query("stale")}});
  h.open("label", {{"for", "f-anomaly"}});
  if (ctx.query("anomaly") == "1") {
    h.empty("input",
            {{"id", "f-anomaly"}, {"name", "anomaly"}, {"type", "checkbox"}, {"value", "1"}, {"checked", "checked"}});
  } else {
    h.empty("input", {{"id", "f-anomaly"}, {"name", "anomaly"}, {"type", "checkbox"}, {"value", "1"}});
  }
  h.text(" ").text(ctx.t("hosts.anomaly_only")).close("label");
  select(h, ctx, "sort", "hosts.sort", {"anomalies", "failing", "hostname", "last"}, ctx.query("sort"));
  h.element("button", ctx.t("hosts.filter"), {{"type", "submit"}});
  h.element("a", ctx.t("hosts.reset"), {{"href", "/hosts"}});
  h.close("form");

  h.element("p", std::to_string(hosts.size()) + " " + std::string(ctx.t("hosts.count")), {{"class", "count"}});
  const std::size_t page = page_number(ctx);
  const std::size_t first = (page - 1) * kPageSize;
  if (hosts.empty()) {
    h.element("p", ctx.t("hosts.none"));
  } else {
    h.open("table", {{"class", "grid"}}).open("thead").open("tr");
    for (const char* key :
         {"hosts.hostname", "hosts.site", "hosts.last_report", "hosts.compliance", "hosts.anomalies"}) {
      h.element("th", ctx.t(key), {{"scope", "col"}});
    }
    h.close("tr").close("thead").open("tbody");
    for (std::size_t i = first; i < hosts.size() && i < first + kPageSize; ++i) {
      const HostState& host = *hosts[i];
      h.open("tr");
      h.open("th", {{"scope", "row"}})
          .element("a", host.hostname.empty() ? host.machine_id : host.hostname,
                   {{"href", host_link(host.machine_id)}});
      h.element("div", host.machine_id, {{"class", "muted mono"}}).close("th");
      h.element("td", host.site);
      h.element("td", host.report ? format_time(host.started_at) : std::string(ctx.t("common.never")));
      h.open("td");
      status_badge(h, ctx, host_state(host, ctx.query("policy")));
      if (host.n_fail > 0) h.text(" " + std::to_string(host.n_fail) + " ").text(ctx.t("status.fail"));
      h.close("td");
      h.open("td", {{"class", "num"}});
      if (host.open_anomalies > 0) {
        h.element("a", std::to_string(host.open_anomalies),
                  {{"href", "/anomalies?host=" + url_encode(host.machine_id)}});
      } else {
        h.text("0");
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
  }
  pagination(h, ctx, page, first + kPageSize < hosts.size());
  export_links(h, ctx);
  return html_page(ctx, "hosts.title", h.take());
}

}  // namespace clinic_audit::dashboard
