// Fleet overview: per policy, hosts compliant / failing / error / stale now,
// the 90-day trend, the ten checks failing on most hosts.
#include <algorithm>
#include <map>

#include "exports.hpp"
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {
namespace {

struct Failing {
  std::string check_id, policy_id, title, severity;
  int hosts = 0;
};

std::vector<Failing> top_failing(const Snapshot& snapshot, std::size_t limit) {
  std::map<std::string, Failing> by_check;
  for (const auto& host : snapshot.hosts) {
    for (const auto& check : host.not_passing) {
      if (check.status != "fail") continue;
      auto& item = by_check[check.check_id];
      if (item.hosts == 0) item = {check.check_id, check.policy_id, check.title, check.severity, 0};
      ++item.hosts;
    }
  }
  std::vector<Failing> out;
  for (auto& [id, item] : by_check) out.push_back(std::move(item));
  std::sort(out.begin(), out.end(), [](const Failing& a, const Failing& b) {
    return a.hosts != b.hosts ? a.hosts > b.hosts : a.check_id < b.check_id;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

// Chart data for /static/dashboard.js, in a JSON data block (not executed,
// so the CSP's script-src 'self' holds): '<' is escaped so no text can close it.
std::string chart_json(const std::vector<TrendDay>& days) {
  nlohmann::json data;
  data["days"] = nlohmann::json::array();
  std::map<std::string, nlohmann::json> series;
  for (const auto& day : days) {
    data["days"].push_back(format_day(day.day));
    for (const auto& [policy, counts] : day.policies) series[policy];
  }
  for (auto& [policy, values] : series) {
    values = nlohmann::json::array();
    for (const auto& day : days) {
      const auto it = day.policies.find(policy);
      const auto& c = it == day.policies.end() ? PolicyCounts{} : it->second;
      const auto total = c.compliant + c.failing + c.error + c.stale;
      values.push_back(total == 0
                           ? nlohmann::json(nullptr)
                           : nlohmann::json(100.0 * static_cast<double>(c.compliant) / static_cast<double>(total)));
    }
    data["series"][policy] = values;
  }
  std::string text = dump_json(data);
  std::string out;
  for (const char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

WebResponse fleet_page(PageContext& ctx) {
  const Snapshot snapshot = ctx.queries.snapshot(ctx.now);
  const auto counts = count_by_policy(snapshot);
  const auto failing = top_failing(snapshot, 10);
  std::size_t never = 0;
  for (const auto& host : snapshot.hosts) never += host.report ? 0U : 1U;

  if (ctx.export_format() == "json") {
    nlohmann::json out;
    out["at"] = format_time(ctx.now);
    out["hosts"] = snapshot.hosts.size();
    out["never_reported"] = never;
    for (const auto& [policy, c] : counts) {
      out["policies"][policy] = {{"compliant", c.compliant},
                                 {"failing", c.failing},
                                 {"error", c.error},
                                 {"stale", c.stale}};
    }
    out["top_failing"] = nlohmann::json::array();
    for (const auto& f : failing) {
      out["top_failing"].push_back({{"check_id", f.check_id},
                                    {"policy_id", f.policy_id},
                                    {"title", f.title},
                                    {"severity", f.severity},
                                    {"hosts", f.hosts}});
    }
    WebResponse response;
    response.set("Content-Type", "application/json");
    response.body = dump_json(out);
    return response;
  }
  if (ctx.export_format() == "csv") {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [policy, c] : counts) {
      rows.push_back({policy, std::to_string(c.compliant), std::to_string(c.failing), std::to_string(c.error),
                      std::to_string(c.stale)});
    }
    return export_table("csv", "fleet", {"policy_id", "compliant", "failing", "error", "stale"}, rows);
  }

  const auto trend = ctx.trend.days(ctx.now, 90, snapshot);
  Html h;
  h.element("h1", ctx.t("fleet.title"));
  if (snapshot.hosts.empty()) h.element("p", ctx.t("fleet.no_data"));
  h.element("h2", ctx.t("fleet.per_policy"));
  h.open("table", {{"class", "grid"}});
  h.open("thead").open("tr");
  h.element("th", ctx.t("fleet.policy"), {{"scope", "col"}});
  for (const char* state : {"compliant", "failing", "error", "stale"}) {
    h.element("th", ctx.t(std::string("status.") + state), {{"scope", "col"}});
  }
  h.close("tr").close("thead").open("tbody");
  for (const auto& [policy, c] : counts) {
    h.open("tr");
    h.open("th", {{"scope", "row"}}).element("a", policy, {{"href", "/hosts?policy=" + url_encode(policy)}}).close("th");
    h.element("td", std::to_string(c.compliant), {{"class", "num"}});
    h.open("td", {{"class", "num"}})
        .element("a", std::to_string(c.failing), {{"href", "/hosts?policy=" + url_encode(policy) + "&state=failing"}})
        .close("td");
    h.element("td", std::to_string(c.error), {{"class", "num"}});
    h.element("td", std::to_string(c.stale), {{"class", "num"}});
    h.close("tr");
  }
  h.close("tbody").close("table");
  if (never > 0) {
    h.open("p")
        .text(ctx.t("status.never"))
        .text(" : ")
        .element("a", std::to_string(never), {{"href", "/hosts?state=never"}})
        .close("p");
  }

  h.element("h2", ctx.t("fleet.trend"));
  h.open("figure");
  h.empty("canvas", {{"id", "trend-chart"},
                     {"width", "900"},
                     {"height", "260"},
                     {"aria-label", std::string(ctx.t("fleet.trend"))},
                     {"role", "img"}});
  h.raw_literal("</canvas>");
  h.close("figure");
  std::string main = h.take();
  main += "<script type=\"application/json\" id=\"trend-data\">" + chart_json(trend) + "</script>";
  main += "<script src=\"/static/chart.min.js\" defer></script><script src=\"/static/dashboard.js\" defer></script>";
  Html table;
  table.open("details").element("summary", ctx.t("fleet.trend_table"));
  table.open("table", {{"class", "grid"}}).open("thead").open("tr");
  table.element("th", ctx.t("fleet.day"), {{"scope", "col"}});
  table.element("th", ctx.t("fleet.policy"), {{"scope", "col"}});
  for (const char* state : {"compliant", "failing", "error", "stale"}) {
    table.element("th", ctx.t(std::string("status.") + state), {{"scope", "col"}});
  }
  table.close("tr").close("thead").open("tbody");
  for (auto it = trend.rbegin(); it != trend.rend(); ++it) {
    for (const auto& [policy, c] : it->policies) {
      table.open("tr").element("td", format_day(it->day)).element("td", policy);
      for (const auto value : {c.compliant, c.failing, c.error, c.stale}) {
        table.element("td", std::to_string(value), {{"class", "num"}});
      }
      table.close("tr");
    }
  }
  table.close("tbody").close("table").close("details");

  table.element("h2", ctx.t("fleet.top_failing"));
  table.open("table", {{"class", "grid"}}).open("thead").open("tr");
  table.element("th", ctx.t("host.check"), {{"scope", "col"}});
  table.element("th", ctx.t("fleet.policy"), {{"scope", "col"}});
  table.element("th", ctx.t("host.severity"), {{"scope", "col"}});
  table.element("th", ctx.t("fleet.hosts_failing"), {{"scope", "col"}});
  table.close("tr").close("thead").open("tbody");
  for (const auto& f : failing) {
    table.open("tr");
    table.open("td")
        .element("a", f.check_id, {{"href", check_link(f.check_id)}})
        .text(" ")
        .element("span", f.title, {{"class", "muted"}})
        .close("td");
    table.element("td", f.policy_id);
    table.open("td");
    severity_badge(table, ctx, f.severity);
    table.close("td");
    table.open("td", {{"class", "num"}})
        .element("a", std::to_string(f.hosts), {{"href", "/hosts?check=" + url_encode(f.check_id)}})
        .close("td");
    table.close("tr");
  }
  table.close("tbody").close("table");
  export_links(table, ctx);
  main += table.take();
  return html_page(ctx, "fleet.title", main);
}

}  // namespace clinic_audit::dashboard
