// Host drill-down: latest results with severity, evidence (file:line),
// remediation and waivers; report history; chain status with each anomaly
// explained; the signed originals and the command that verifies them.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "exports.hpp"
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {
namespace {

void evidence_list(Html& h, const PageContext& ctx, const std::string& evidence_json) {
  const auto parsed = nlohmann::json::parse(evidence_json, nullptr, false);
  if (!parsed.is_array() || parsed.empty()) return;
  h.open("ul", {{"class", "evidence"}, {"aria-label", std::string(ctx.t("host.evidence"))}});
  for (const auto& item : parsed) {
    if (!item.is_object()) continue;
    h.open("li");
    const auto path = item.value("path", std::string{});
    if (!path.empty()) {
      std::string where = path;
      if (item.contains("line") && item["line"].is_number_integer())
        where += ":" + std::to_string(item["line"].get<long long>());
      h.element("code", where).text(" ");
    }
    h.text(item.value("observed", std::string{}));
    const auto expected = item.value("expected", std::string{});
    if (!expected.empty()) h.text(" → ").element("em", expected);
    h.close("li");
  }
  h.close("ul");
}

// A file name for a download: the report's own naming (DESIGN §6) with
// anything outside [A-Za-z0-9._-] replaced (the hostname comes from the host).
std::string download_name(const FleetQueries::Blob& blob) {
  std::string host;
  for (const char c : blob.hostname.substr(0, 64)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    host += ok ? c : '_';
  }
  std::string stamp = format_time(blob.started_at);  // YYYY-MM-DD HH:MM UTC
  std::string compact;
  for (const char c : stamp.substr(0, 16)) {
    if (c >= '0' && c <= '9') compact += c;
  }
  compact.insert(8, "T");
  return "clinic-audit-" + host + "-" + compact + "Z." + (blob.format == "xml" ? "xml" : "json");
}

}  // namespace

WebResponse report_download(PageContext& ctx) {
  const auto parsed = parse_id(ctx.query("id"));
  if (!parsed) throw BadRequest{"error.bad_request"};
  const std::int64_t id = *parsed;
  const auto part = ctx.query("part");
  if (part != "report" && part != "signature") throw BadRequest{"error.bad_request"};
  const auto blob = ctx.queries.report_blob(id);
  WebResponse response;
  if (!blob) {
    response.status = 404;
    response.set("Content-Type", "text/plain; charset=utf-8");
    response.body = std::string(ctx.t("error.not_found"));
    return response;
  }
  const std::string name = download_name(*blob) + (part == "signature" ? ".p7s" : "");
  response.set("Content-Type", "application/octet-stream");
  response.set("Content-Disposition", "attachment; filename=\"" + name + "\"");
  response.body = part == "signature" ? blob->signature : blob->bytes;
  return response;
}

WebResponse host_page(PageContext& ctx) {
  const auto machine_id = ctx.query("id");
  if (machine_id.empty() || machine_id.size() > 256) throw BadRequest{"error.bad_request"};
  const Snapshot snapshot = ctx.queries.snapshot(ctx.now, machine_id);
  if (snapshot.hosts.empty()) {
    Html h;
    h.element("h1", ctx.t("host.title"));
    h.element("p", ctx.t("host.unknown"));
    auto response = html_page(ctx, "host.title", h.take());
    response.status = 404;
    return response;
  }
  const HostState& host = snapshot.hosts.front();
  if (const auto format = ctx.export_format(); !format.empty()) {
    return export_response(format, "host", result_rows(ctx.queries, {&host}));
  }
  Html h;
  h.element("h1", host.hostname.empty() ? host.machine_id : host.hostname);
  h.open("dl", {{"class", "facts"}});
  h.element("dt", ctx.t("hosts.machine_id")).element("dd", host.machine_id, {{"class", "mono"}});
  h.element("dt", ctx.t("hosts.site")).element("dd", host.site);
  h.element("dt", ctx.t("hosts.last_report"))
      .element("dd", host.report ? format_time(host.started_at) : std::string(ctx.t("common.never")));
  h.element("dt", ctx.t("hosts.compliance")).open("dd");
  for (const auto& [policy, state] : host.policies) {
    h.text(policy + " ");
    status_badge(h, ctx, host.stale ? "stale" : to_string(state));
    h.text(" ");
  }
  h.close("dd").close("dl");

  if (!host.report) {
    h.element("p", ctx.t("host.no_report"));
  } else {
    h.element("h2", ctx.t("host.latest"));
    h.open("table", {{"class", "grid results"}}).open("thead").open("tr");
    for (const char* key : {"host.check", "host.severity", "host.status", "host.summary", "host.remediation"}) {
      h.element("th", ctx.t(key), {{"scope", "col"}});
    }
    h.close("tr").close("thead").open("tbody");
    auto results = ctx.queries.results(*host.report);
    // Failures first, as the agent's text report orders them.
    std::stable_sort(results.begin(), results.end(), [](const ResultItem& a, const ResultItem& b) {
      auto rank = [](const std::string& s) { return s == "fail" ? 0 : s == "error" ? 1 : s == "waived" ? 2 : 3; };
      return rank(a.status) < rank(b.status);
    });
    for (const auto& result : results) {
      h.open("tr");
      h.open("td").element("a", result.check_id, {{"href", check_link(result.check_id)}, {"class", "mono"}});
      h.element("div", result.title).close("td");
      h.open("td");
      severity_badge(h, ctx, result.severity);
      h.close("td").open("td");
      status_badge(h, ctx, result.status);
      h.close("td").open("td").text(result.summary);
      evidence_list(h, ctx, result.evidence_json);
      h.close("td").open("td");
      if (!result.remediation.empty() &&
          (result.status == "fail" || result.status == "error" || result.status == "waived")) {
        h.element("pre", result.remediation);
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
  }
  export_links(h, ctx);

  h.element("h2", ctx.t("host.chain_status"));
  const auto anomalies = ctx.queries.anomalies(machine_id, std::nullopt, 200, 0);
  if (anomalies.empty()) {
    h.element("p", ctx.t("host.no_anomaly"));
  } else {
    h.open("ul", {{"class", "anomalies"}});
    for (const auto& a : anomalies) {
      h.open("li");
      h.element("strong", ctx.t("anomaly." + a.kind)).text(" — " + format_time(a.detected_at) + " — ").text(a.detail);
      if (a.resolved_at) {
        h.text(" (")
            .text(ctx.t("anomalies.resolved"))
            .text(" " + format_time(*a.resolved_at) + ": ")
            .text(a.resolution)
            .text(")");
      }
      h.close("li");
    }
    h.close("ul");
  }

  h.element("h2", ctx.t("host.history"));
  const std::size_t page = page_number(ctx);
  const auto history = ctx.queries.history(machine_id, kPageSize + 1, (page - 1) * kPageSize);
  h.open("table", {{"class", "grid"}}).open("thead").open("tr");
  for (const char* key :
       {"host.sequence", "host.started", "host.received", "hosts.compliance", "host.chain", "host.download"}) {
    h.element("th", ctx.t(key), {{"scope", "col"}});
  }
  h.close("tr").close("thead").open("tbody");
  for (std::size_t i = 0; i < history.size() && i < kPageSize; ++i) {
    const auto& item = history[i];
    h.open("tr");
    h.element("td", std::to_string(item.sequence), {{"class", "num"}});
    h.element("td", format_time(item.started_at));
    h.element("td", format_time(item.received_at));
    h.open("td");
    status_badge(h, ctx, item.compliant ? "compliant" : item.n_fail > 0 ? "failing" : "error");
    h.close("td").open("td");
    h.element("span", ctx.t("chain." + item.chain), {{"class", item.chain == "ok" ? "chain-ok" : "chain-bad"}});
    h.close("td").open("td");
    const auto id = std::to_string(item.id);
    h.element("a", ctx.t("host.report_file"), {{"href", "/report?id=" + id + "&part=report"}});
    h.text(" + ");
    h.element("a", ctx.t("host.signature_file"), {{"href", "/report?id=" + id + "&part=signature"}});
    h.close("td").close("tr");
  }
  h.close("tbody").close("table");
  pagination(h, ctx, page, history.size() > kPageSize);
  h.element("p", ctx.t("host.verify_how"));
  h.element(
      "pre",
      "openssl cms -verify -binary -inform DER -in REPORT.json.p7s -content REPORT.json -CAfile ca.crt -purpose any");
  return html_page(ctx, "host.title", h.take(), host.hostname);
}

}  // namespace clinic_audit::dashboard
