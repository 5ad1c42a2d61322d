#include "read_api.hpp"

#include <nlohmann/json.hpp>

#include "exports.hpp"
#include "layout.hpp"
#include "pages.hpp"

namespace clinic_audit::dashboard {
namespace {

WebResponse json_response(int status, const nlohmann::json& body) {
  WebResponse response;
  response.status = status;
  response.set("Content-Type", "application/json");
  response.body = dump_json(body);
  return response;
}

nlohmann::json host_json(const HostState& host) {
  nlohmann::json item = {{"machine_id", host.machine_id},
                         {"hostname", host.hostname},
                         {"site", host.site},
                         {"stale", host.stale},
                         {"open_anomalies", host.open_anomalies}};
  if (host.report) {
    item["report_id"] = host.report_id;
    item["report"] = *host.report;
    item["started_at"] = format_time(host.started_at);
    item["received_at"] = format_time(host.received_at);
    item["chain"] = host.chain;
    item["n_fail"] = host.n_fail;
    item["n_error"] = host.n_error;
  }
  for (const auto& [policy, state] : host.policies) item["policies"][policy] = to_string(state);
  return item;
}

std::int64_t at_of(const PageContext& ctx) {
  const auto date = ctx.query("at");
  if (date.empty()) return ctx.now;
  const auto day = parse_day(date);
  if (!day) throw BadRequest{"at.bad_date"};
  return *day + 86399;
}

}  // namespace

WebResponse read_api(PageContext& ctx) {
  const std::string& path = ctx.target.path;
  if (path == "/api/v1/hosts" || path == "/api/v1/export") {
    const Snapshot snapshot = ctx.queries.snapshot(at_of(ctx));
    const auto hosts = filter_hosts(ctx, snapshot);
    if (path == "/api/v1/export") {
      return export_response(ctx.export_format().empty() ? "json" : ctx.export_format(), "export",
                             result_rows(ctx.queries, hosts, ctx.query("check"), ctx.query("policy")));
    }
    nlohmann::json out = nlohmann::json::array();
    for (const HostState* host : hosts) out.push_back(host_json(*host));
    return json_response(200, out);
  }
  if (path.rfind("/api/v1/hosts/", 0) == 0) {
    const std::string machine_id = path.substr(14);
    const Snapshot snapshot = ctx.queries.snapshot(at_of(ctx), machine_id);
    if (snapshot.hosts.empty()) return json_response(404, {{"error", "unknown host"}});
    auto out = host_json(snapshot.hosts.front());
    out["results"] = nlohmann::json::array();
    if (snapshot.hosts.front().report) {
      for (const auto& r : ctx.queries.results(*snapshot.hosts.front().report)) {
        auto evidence = nlohmann::json::parse(r.evidence_json, nullptr, false);
        out["results"].push_back({{"check_id", r.check_id},
                                  {"policy_id", r.policy_id},
                                  {"type", r.type},
                                  {"title", r.title},
                                  {"severity", r.severity},
                                  {"status", r.status},
                                  {"summary", r.summary},
                                  {"evidence", evidence.is_discarded() ? nlohmann::json(r.evidence_json) : evidence},
                                  {"remediation", r.remediation}});
      }
    }
    return json_response(200, out);
  }
  if (path == "/api/v1/reports") {
    const auto machine_id = ctx.query("host");
    if (machine_id.empty()) return json_response(400, {{"error", "host=MACHINE_ID is required"}});
    const std::size_t page = page_number(ctx);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : ctx.queries.history(machine_id, kPageSize, (page - 1) * kPageSize)) {
      out.push_back({{"id", item.id},
                     {"report_id", item.report_id},
                     {"sequence", item.sequence},
                     {"started_at", format_time(item.started_at)},
                     {"received_at", format_time(item.received_at)},
                     {"chain", item.chain},
                     {"format", item.format},
                     {"compliant", item.compliant},
                     {"pass", item.n_pass},
                     {"fail", item.n_fail},
                     {"error", item.n_error},
                     {"waived", item.n_waived}});
    }
    return json_response(200, out);
  }
  if (path == "/api/v1/results") {
    const auto parsed = parse_id(ctx.query("report"));
    if (!parsed) return json_response(400, {{"error", "report=ID is required"}});
    const std::int64_t report = *parsed;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : ctx.queries.results(report)) {
      out.push_back({{"check_id", r.check_id},
                     {"policy_id", r.policy_id},
                     {"severity", r.severity},
                     {"status", r.status},
                     {"summary", r.summary},
                     {"evidence", r.evidence_json}});
    }
    return json_response(200, out);
  }
  if (path == "/api/v1/anomalies") {
    std::optional<std::string> host, kind;
    if (const auto h = ctx.query("host"); !h.empty()) host = h;
    if (const auto k = ctx.query("kind"); !k.empty()) kind = k;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : ctx.queries.anomalies(host, kind, 1000, 0)) {
      out.push_back(
          {{"machine_id", a.machine_id},
           {"hostname", a.hostname},
           {"kind", a.kind},
           {"detail", a.detail},
           {"report_id", a.report_id},
           {"detected_at", format_time(a.detected_at)},
           {"resolved_at", a.resolved_at ? nlohmann::json(format_time(*a.resolved_at)) : nlohmann::json(nullptr)},
           {"resolution", a.resolution}});
    }
    return json_response(200, out);
  }
  return json_response(404, {{"error", "no such API route"}});
}

}  // namespace clinic_audit::dashboard
