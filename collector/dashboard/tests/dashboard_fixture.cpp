#include "dashboard_fixture.hpp"

#include <regex>

#include "html.hpp"
#ifdef CA_DASHBOARD_POSTGRES
#include "postgres_test_cluster.hpp"
#endif

namespace clinic_audit::dashboard::test {
namespace {

using collector::IncomingReport;
using collector::ResultRow;

IncomingReport report(const std::string& machine_id, const std::string& hostname, std::uint64_t sequence,
                      std::int64_t started_at, bool failing) {
  IncomingReport in;
  in.row.report_id = "00000000-0000-4000-8000-" + machine_id.substr(0, 4) + std::to_string(100000000 + sequence);
  in.row.machine_id = machine_id;
  in.row.hostname = hostname;
  in.row.sequence = sequence;
  in.row.sha256 = machine_id + "-" + std::to_string(sequence);
  in.row.started_at = started_at;
  in.row.format = "json";
  in.row.signer_fingerprint = "fp-" + machine_id;
  in.row.signer_subject = "CN=" + hostname;
  in.row.compliant = !failing;
  in.row.counts.pass = failing ? 2 : 3;
  in.row.counts.fail = failing ? 1 : 0;
  in.blob = {"{\"report\": \"" + in.row.sha256 + "\"}\n", "DER-" + in.row.sha256};
  in.results.push_back(
      {0, 0, "apicrypt-v1.binary.apicrypt", "apicrypt-v1", "file", "Binaire apicrypt appartenant à root", "high",
       failing ? "fail" : "pass", failing ? "owned by www-data" : "owned by root, mode 0755",
       failing
           ? R"([{"path":"/home/ehr/apicrypt/bin/apicrypt","line":null,"observed":"owner www-data","expected":"owner root"}])"
           : "[]",
       failing ? "chown root:root /home/ehr/apicrypt/bin/apicrypt" : ""});
  in.results.push_back(
      {0, 1, "apicrypt-v1.sudoers.grants", "apicrypt-v1", "sudoers", "Droits sudo de www-data", "critical", "pass",
       "4 grants", R"([{"path":"/etc/sudoers.d/apicrypt","line":3,"observed":"NOPASSWD","expected":"NOPASSWD"}])", ""});
  in.results.push_back({0, 2, "ekermed.antispam.whitelist", "ekermed", "antispam", "Liste blanche", "medium", "pass",
                        "whitelisted", "[]", ""});
  return in;
}

collector::Judgement judge_gap(const collector::ChainHistory& history, const IncomingReport& incoming) {
  collector::Judgement judgement;
  if (!history.links.empty() && incoming.row.sequence > history.links.back().sequence + 1) {
    judgement.anomalies.push_back(
        {"gap", "1 report missing (sequence 2)", history.links.back().sequence + 1, incoming.row.sequence - 1});
  }
  return judgement;
}

std::string attribute_of(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

}  // namespace

void seed_fleet(collector::Storage& storage, std::int64_t now) {
  const std::int64_t day = 86400;
  for (int i = 0; i < 5; ++i) {
    storage.ingest(report("a1fa", "alpha", static_cast<std::uint64_t>(i + 1), now - (4 - i) * day, false), judge_gap,
                   now);
  }
  // beta: compliant, then sequence 2 missing, then failing for 3 days.
  storage.ingest(report("beta", "beta", 1, now - 5 * day, false), judge_gap, now);
  for (std::uint64_t seq = 3; seq <= 5; ++seq) {
    storage.ingest(report("beta", "beta", seq, now - static_cast<std::int64_t>(5 - seq) * day, true), judge_gap, now);
  }
  auto hostile = report("b0b0", kHostileName, 1, now - 3600, true);
  hostile.results[0].summary = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>";
  hostile.results[0].evidence_json =
      R"([{"path":"/etc/<b>x</b>","line":7,"observed":"</script><script>alert(2)</script>","expected":"=1+1"}])";
  hostile.results[0].remediation = "chown root:root '</pre><script>alert(3)</script>'";
  storage.ingest(hostile, judge_gap, now);
  storage.ingest(report("9a11", "gamma", 1, now - 10 * day, false), judge_gap, now);
}

DashboardWorld::DashboardWorld() {
#ifdef CA_DASHBOARD_POSTGRES
  // The collector tests' private cluster (collector/tests/pg_test_cluster.sh).
  url = collector::test::fresh_postgres_database();
#else
  url = "sqlite:" + (dir.path() / "collector.db").string();
#endif
  storage = collector::open_storage(url);
  storage->migrate();
  seed_fleet(*storage);
  DashboardConfig config;
  config.database_url = url;
  dashboard = std::make_unique<Dashboard>(config);
  dashboard->users().add("admin", Role::admin, "admin password 123", kNow);
  dashboard->users().add("viewer", Role::viewer, "viewer password 123", kNow);
}

DashboardWorld::~DashboardWorld() {
  dashboard.reset();
  storage.reset();
#ifdef CA_DASHBOARD_POSTGRES
  collector::test::drop_postgres_database(url);
#endif
}

WebResponse Client::send(WebRequest request) {
  std::string cookie_header;
  for (const auto& [name, value] : cookies_) {
    if (!cookie_header.empty()) cookie_header += "; ";
    cookie_header += name + "=" + value;
  }
  if (!cookie_header.empty()) request.headers["cookie"] = cookie_header;
  request.peer = peer_;
  WebResponse response = dashboard_.handle(request, now_);
  for (const auto& [name, value] : response.headers) {
    if (name != "Set-Cookie") continue;
    const auto pair = attribute_of(value);
    const auto eq = pair.find('=');
    const auto cookie_name = pair.substr(0, eq);
    const auto cookie_value = pair.substr(eq + 1);
    if (value.find("Max-Age=0") != std::string::npos || cookie_value.empty()) {
      cookies_.erase(cookie_name);
    } else {
      cookies_[cookie_name] = cookie_value;
    }
  }
  return response;
}

WebResponse Client::get(const std::string& target, std::map<std::string, std::string> headers) {
  return send({"GET", target, std::move(headers), {}, {}});
}

WebResponse Client::post(const std::string& target, const std::string& body,
                         std::map<std::string, std::string> headers) {
  headers["content-type"] = "application/x-www-form-urlencoded";
  return send({"POST", target, std::move(headers), body, {}});
}

WebResponse Client::request(const std::string& method, const std::string& target) {
  return send({method, target, {}, {}, {}});
}

std::string Client::csrf_from(const std::string& html) const {
  static const std::regex field(R"re(name="csrf" value="([^"]+)")re");
  std::smatch match;
  return std::regex_search(html, match, field) ? match[1].str() : std::string{};
}

bool Client::login(const std::string& user, const std::string& password) {
  const auto form = get("/login");
  const auto csrf = csrf_from(form.body);
  const auto response =
      post("/login", "csrf=" + csrf + "&next=%2Ffleet&user=" + url_encode(user) + "&password=" + url_encode(password));
  return response.status == 303 && cookies_.contains("ca_session");
}

}  // namespace clinic_audit::dashboard::test
