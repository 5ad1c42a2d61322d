// The dashboard's routes called in-process on a seeded collector database:
// login, every page, filters, exports, the read API, roles, CSRF, escaping
// of hostile report content, language.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dashboard_fixture.hpp"
#include "html.hpp"

namespace clinic_audit::dashboard::test {
namespace {

class DashboardPages : public ::testing::Test {
 protected:
  DashboardWorld world;
  Client admin{*world.dashboard};
  Client viewer{*world.dashboard};
  void SetUp() override {
    ASSERT_TRUE(admin.login("admin", "admin password 123"));
    ASSERT_TRUE(viewer.login("viewer", "viewer password 123"));
  }
};

TEST(DashboardAuth, EveryPageAndApiNeedsASessionOrToken) {
  DashboardWorld world;
  Client anonymous{*world.dashboard};
  for (const char* page : {"/fleet", "/hosts", "/host?id=beta", "/check?id=x", "/anomalies", "/at", "/admin/tokens",
                           "/report?id=1&part=report", "/hosts?format=csv"}) {
    const auto response = anonymous.get(page);
    EXPECT_EQ(response.status, 303) << page;
    EXPECT_EQ(response.header("Location").rfind("/login?next=", 0), 0U) << page;
  }
  const auto api = anonymous.get("/api/v1/hosts");
  EXPECT_EQ(api.status, 401);
  EXPECT_NE(api.body.find("\"error\""), std::string::npos);
  EXPECT_EQ(anonymous.get("/api/v1/hosts", {{"authorization", "Bearer not-a-token"}}).status, 401);
  // Static assets are public (no data in them); the login page too.
  EXPECT_EQ(anonymous.get("/static/dashboard.css").status, 200);
  EXPECT_EQ(anonymous.get("/login").status, 200);
}

TEST(DashboardAuth, LoginNeedsTheRightPasswordAndTheCsrfCookie) {
  DashboardWorld world;
  Client client{*world.dashboard};
  EXPECT_FALSE(client.login("admin", "wrong password 123"));
  EXPECT_FALSE(client.login("nobody", "admin password 123"));
  // A cross-site POST has no CSRF cookie: refused even with the right password.
  Client csrf_less{*world.dashboard};
  const auto forged = csrf_less.post("/login", "csrf=abc&user=admin&password=admin+password+123");
  EXPECT_EQ(forged.status, 403);
  EXPECT_FALSE(csrf_less.cookies().contains("ca_session"));
  EXPECT_TRUE(client.login("admin", "admin password 123"));
}

TEST(DashboardAuth, SessionCookieIsHttpOnlySecureStrictAndExpires) {
  DashboardWorld world;
  Client client{*world.dashboard};
  const auto form = client.get("/login");
  const auto response = client.post("/login", "csrf=" + client.csrf_from(form.body) +
                                                  "&next=%2Fhosts&user=admin&password=admin+password+123");
  ASSERT_EQ(response.status, 303);
  EXPECT_EQ(response.header("Location"), "/hosts");
  const auto set_cookie = response.header("Set-Cookie");
  EXPECT_NE(set_cookie.find("ca_session="), std::string::npos);
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("Secure"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("Max-Age=28800"), std::string::npos);
  // The session expires server-side too.
  Client later{*world.dashboard, kNow + Users::kSessionSeconds + 1};
  later.cookies() = client.cookies();
  EXPECT_EQ(later.get("/fleet").status, 303);
}

TEST(DashboardAuth, LoginIsThrottled) {
  DashboardWorld world;
  Client client{*world.dashboard};
  for (int i = 0; i < LoginThrottle::kFreeFailures; ++i) EXPECT_FALSE(client.login("admin", "wrong password 123"));
  const auto form = client.get("/login");
  const auto response =
      client.post("/login", "csrf=" + client.csrf_from(form.body) + "&user=admin&password=admin+password+123");
  EXPECT_EQ(response.status, 429);
  EXPECT_FALSE(response.header("Retry-After").empty());
}

// Throttling keys (throttle.hpp): an attacker's failures for a name delay
// that name from the attacker's address only (the real user, elsewhere,
// still signs in), and a success with the attacker's own account does not
// reset the address's count (password spraying across names stays slowed).
TEST(DashboardAuth, ThrottleNeitherLocksOutTheUserNorForgetsTheAttacker) {
  DashboardWorld world;
  Client attacker{*world.dashboard};
  attacker.set_peer("203.0.113.9");
  for (int i = 0; i < LoginThrottle::kFreeFailures + 2; ++i) attacker.login("admin", "wrong password 123");
  Client office{*world.dashboard};
  office.set_peer("198.51.100.4");
  EXPECT_TRUE(office.login("admin", "admin password 123"));

  Client sprayer{*world.dashboard};
  sprayer.set_peer("203.0.113.10");
  int throttled = 0;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 4; ++i) {
      const auto form = sprayer.get("/login");
      const auto answer = sprayer.post("/login", "csrf=" + sprayer.csrf_from(form.body) + "&user=name" +
                                                     std::to_string(round * 4 + i) + "&password=guess");
      if (answer.status == 429) ++throttled;
    }
    sprayer.login("viewer", "viewer password 123");  // its own account
  }
  EXPECT_GT(throttled, 0) << "24 failures from one address, each round ended by a success, were never slowed";
}

TEST_F(DashboardPages, LogoutNeedsTheSessionCsrfAndEndsTheSession) {
  const auto page = admin.get("/fleet");
  const auto csrf = admin.csrf_from(page.body);
  ASSERT_FALSE(csrf.empty());
  EXPECT_EQ(admin.post("/logout", "csrf=forged").status, 403);
  EXPECT_EQ(admin.get("/fleet").status, 200);
  const auto session = admin.cookies().at("ca_session");
  EXPECT_EQ(admin.post("/logout", "csrf=" + csrf).status, 303);
  Client replay{*world.dashboard};
  replay.cookies()["ca_session"] = session;
  EXPECT_EQ(replay.get("/fleet").status, 303);
}

TEST_F(DashboardPages, EveryPageRendersInFrenchByDefault) {
  struct Case {
    const char* target;
    const char* expected;
  };
  for (const Case& c :
       {Case{"/fleet", "Vue du parc"}, Case{"/hosts", "alpha"}, Case{"/host?id=beta", "Historique des rapports"},
        Case{"/check?id=apicrypt-v1.binary.apicrypt", "En échec depuis"},
        Case{"/anomalies", "trou (rapports manquants)"},
        Case{"/at?date=2026-09-15", "Conformité du parc à une date"}}) {
    const auto response = viewer.get(c.target);
    EXPECT_EQ(response.status, 200) << c.target;
    EXPECT_NE(response.body.find(c.expected), std::string::npos) << c.target;
    EXPECT_NE(response.body.find("<html lang=\"fr\">"), std::string::npos) << c.target;
    EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8");
    const auto csp = response.header("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(response.body.find("<script>"), std::string::npos) << c.target << ": no inline script";
    EXPECT_EQ(response.body.find(" style="), std::string::npos) << c.target << ": no inline style";
  }
}

TEST_F(DashboardPages, EnglishByAcceptLanguageOrChoice) {
  auto response = viewer.get("/fleet", {{"accept-language", "en-GB,en;q=0.9"}});
  EXPECT_NE(response.body.find("Fleet overview"), std::string::npos);
  response = viewer.get("/hosts?lang=en");
  EXPECT_NE(response.body.find("<html lang=\"en\">"), std::string::npos);
  // The choice is remembered in a cookie.
  response = viewer.get("/anomalies");
  EXPECT_NE(response.body.find("Chain anomalies, newest first"), std::string::npos);
}

TEST_F(DashboardPages, FleetCountsPoliciesStaleAndTopFailing) {
  const auto response = viewer.get("/fleet?format=json");
  ASSERT_EQ(response.status, 200);
  const auto fleet = nlohmann::json::parse(response.body);
  EXPECT_EQ(fleet["hosts"], 4);
  // apicrypt-v1: alpha compliant; beta and hostile failing; gamma stale.
  EXPECT_EQ(fleet["policies"]["apicrypt-v1"]["compliant"], 1);
  EXPECT_EQ(fleet["policies"]["apicrypt-v1"]["failing"], 2);
  EXPECT_EQ(fleet["policies"]["apicrypt-v1"]["stale"], 1);
  ASSERT_EQ(fleet["top_failing"].size(), 1U);
  EXPECT_EQ(fleet["top_failing"][0]["check_id"], "apicrypt-v1.binary.apicrypt");
  EXPECT_EQ(fleet["top_failing"][0]["hosts"], 2);
  const auto page = viewer.get("/fleet");
  EXPECT_NE(page.body.find("id=\"trend-data\""), std::string::npos);
  EXPECT_NE(page.body.find("src=\"/static/chart.min.js\""), std::string::npos);
}

TEST_F(DashboardPages, TrendIsCachedAndALateReportChangesIt) {
  const std::string day = format_day(kNow - 2 * 86400);
  auto row_of_day = [&] {
    const auto page = viewer.get("/fleet");
    const auto start = page.body.find("<td>" + day + "</td><td>apicrypt-v1</td>");
    EXPECT_NE(start, std::string::npos) << day;
    return start == std::string::npos ? std::string{} : page.body.substr(start, 160);
  };
  const auto before = row_of_day();
  EXPECT_EQ(before, row_of_day()) << "cached day is stable";
  // A report started that day but received now (e.g. from a spool after an outage).
  collector::IncomingReport late;
  late.row.report_id = "late";
  late.row.machine_id = "1a7e";
  late.row.hostname = "late-host";
  late.row.sequence = 1;
  late.row.sha256 = "late-1";
  late.row.started_at = kNow - 2 * 86400;
  late.row.format = "json";
  late.row.signer_fingerprint = "fp";
  late.row.signer_subject = "CN=late-host";
  late.blob = {"{}", "sig"};
  late.results.push_back(
      {0, 0, "apicrypt-v1.binary.apicrypt", "apicrypt-v1", "file", "t", "high", "pass", "", "[]", ""});
  world.storage->ingest(
      late, [](const auto&, const auto&) { return collector::Judgement{}; }, kNow);
  EXPECT_NE(row_of_day(), before);
}

TEST_F(DashboardPages, HostsFiltersAreUrls) {
  auto names = [&](const std::string& target) {
    const auto rows = nlohmann::json::parse(viewer.get(target).body);
    std::string out;
    for (const auto& row : rows) out += row["hostname"].get<std::string>() + ",";
    return out;
  };
  EXPECT_EQ(names("/api/v1/hosts"), std::string(kHostileName) + ",alpha,beta,gamma,");
  EXPECT_EQ(names("/api/v1/hosts?check=apicrypt-v1.binary.apicrypt"), std::string(kHostileName) + ",beta,");
  EXPECT_EQ(names("/api/v1/hosts?state=stale"), "gamma,");
  EXPECT_EQ(names("/api/v1/hosts?stale=5"), "gamma,");
  EXPECT_EQ(names("/api/v1/hosts?anomaly=1"), "beta,");
  EXPECT_EQ(names("/api/v1/hosts?q=ALP"), "alpha,");
  EXPECT_EQ(names("/api/v1/hosts?state=compliant&policy=ekermed"), std::string(kHostileName) + ",alpha,beta,");
  EXPECT_EQ(viewer.get("/hosts?stale=-3").status, 400);
  const auto page = viewer.get("/hosts?check=apicrypt-v1.binary.apicrypt");
  EXPECT_NE(page.body.find(">beta<"), std::string::npos);
  EXPECT_EQ(page.body.find(">alpha<"), std::string::npos);
  // The export links keep the filters.
  EXPECT_NE(page.body.find("check=apicrypt-v1.binary.apicrypt&amp;format=csv"), std::string::npos);
}

TEST_F(DashboardPages, CsvExportKeepsFiltersContextAndDefusesFormulas) {
  const auto response = viewer.get("/hosts?check=apicrypt-v1.binary.apicrypt&format=csv");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "text/csv; charset=utf-8");
  const auto& csv = response.body;
  EXPECT_EQ(csv.rfind("machine_id,hostname,site,policy_id,check_id,title,severity,status,summary,evidence,report_id,"
                      "report_time\r\n",
                      0),
            0U);
  std::size_t rows = 0;
  for (std::size_t at = 0; (at = csv.find("\r\n", at)) != std::string::npos; at += 2) ++rows;
  EXPECT_EQ(rows, 3U) << csv;  // header + beta + hostile, only that check
  EXPECT_NE(csv.find("beta,beta,,apicrypt-v1,apicrypt-v1.binary.apicrypt"), std::string::npos);
  EXPECT_NE(csv.find("/home/ehr/apicrypt/bin/apicrypt: owner www-data (expected: owner root)"), std::string::npos);
  // A summary starting with '=' reaches a spreadsheet as text, not a formula.
  EXPECT_NE(csv.find(",'=cmd|"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(",=cmd"), std::string::npos);
}

TEST_F(DashboardPages, HostileReportContentIsTextEverywhere) {
  for (const std::string target :
       {"/hosts", "/host?id=b0b0", "/check?id=apicrypt-v1.binary.apicrypt", "/at", "/fleet", "/anomalies"}) {
    const auto body = viewer.get(target).body;
    EXPECT_EQ(body.find("<script>alert"), std::string::npos) << target;
    EXPECT_EQ(body.find("<img src=x"), std::string::npos) << target;
    EXPECT_EQ(body.find("</script><script>"), std::string::npos) << target;
  }
  const auto host = viewer.get("/host?id=b0b0").body;
  EXPECT_NE(host.find("&lt;script&gt;alert(&#39;pwn&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(host.find("&lt;/pre&gt;&lt;script&gt;alert(3)"), std::string::npos);
  const auto api = nlohmann::json::parse(viewer.get("/api/v1/hosts/b0b0").body);
  EXPECT_EQ(api["hostname"], kHostileName);
}

TEST_F(DashboardPages, HostPageShowsEvidenceHistoryChainAndDownloads) {
  const auto body = viewer.get("/host?id=beta").body;
  EXPECT_NE(body.find("<code>/home/ehr/apicrypt/bin/apicrypt</code>"), std::string::npos);
  EXPECT_NE(body.find("<code>/etc/sudoers.d/apicrypt:3</code>"), std::string::npos);
  EXPECT_NE(body.find("chown root:root /home/ehr/apicrypt/bin/apicrypt"), std::string::npos);
  EXPECT_NE(body.find("1 report missing (sequence 2)"), std::string::npos);
  EXPECT_NE(body.find("openssl cms -verify"), std::string::npos);
  const auto download = viewer.get("/report?id=1&part=signature");
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body, "DER-a1fa-1");
  EXPECT_NE(download.header("Content-Disposition").find("clinic-audit-alpha-"), std::string::npos);
  EXPECT_NE(download.header("Content-Disposition").find(".json.p7s"), std::string::npos);
  EXPECT_EQ(viewer.get("/report?id=99999&part=report").status, 404);
  EXPECT_EQ(viewer.get("/report?id=1&part=../etc").status, 400);
  EXPECT_EQ(viewer.get("/host?id=unknown").status, 404);
}

TEST_F(DashboardPages, CheckPageSaysSinceWhen) {
  const auto body = viewer.get("/check?id=apicrypt-v1.binary.apicrypt").body;
  // beta fails since its sequence-3 report, two days before "now".
  EXPECT_NE(body.find(format_time(kNow - 2 * 86400)), std::string::npos) << body;
}

TEST_F(DashboardPages, ComplianceAtADateUsesTheReportOfThatDay) {
  const auto rows = nlohmann::json::parse(viewer.get("/api/v1/hosts?at=" + format_day(kNow - 4 * 86400)).body);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& row : rows) by_name[row["hostname"]] = row;
  EXPECT_EQ(by_name.size(), 3U);  // alpha, beta, gamma (the hostile one did not exist yet)
  EXPECT_EQ(by_name["beta"]["policies"]["apicrypt-v1"], "compliant");
  EXPECT_EQ(viewer.get("/at?date=2026-02-30").status, 400);
  const auto csv = viewer.get("/at?date=" + format_day(kNow) + "&format=csv").body;
  EXPECT_NE(csv.find("gamma"), std::string::npos);
}

TEST_F(DashboardPages, ViewerCannotReachAdminActions) {
  EXPECT_EQ(viewer.get("/admin/tokens").status, 403);
  const auto csrf = viewer.csrf_from(viewer.get("/fleet").body);
  EXPECT_EQ(viewer.post("/admin/tokens/revoke", "csrf=" + csrf + "&id=1").status, 403);
  EXPECT_EQ(admin.get("/admin/tokens").status, 200);
  EXPECT_EQ(viewer.get("/fleet").body.find("/admin/tokens"), std::string::npos);
  EXPECT_NE(admin.get("/fleet").body.find("/admin/tokens"), std::string::npos);
}

// A token past its expiry or out of uses is not shown "active" (it was:
// only revocation was looked at); the states of `token list`.
TEST_F(DashboardPages, TokensPageShowsExpiredAndUsedUpTokens) {
  auto token = [](const std::string& site, std::optional<std::int64_t> expires, int uses, int allowed) {
    collector::TokenRow row;
    row.secret_sha256 = "hash-" + site;
    row.site = site;
    row.created_at = kNow - 10 * 86400;
    row.expires_at = expires;
    row.uses = uses;
    row.uses_allowed = allowed;
    return row;
  };
  world.storage->create_token(token("site-expired", kNow - 86400, 0, 1));
  const auto used = world.storage->create_token(token("site-used", kNow + 86400, 0, 1));
  ASSERT_TRUE(world.storage->consume_token("hash-site-used", kNow).token);
  world.storage->create_token(token("site-active", kNow + 86400, 0, 1));
  const std::string body = admin.get("/admin/tokens").body;
  const auto state_of = [&](const std::string& site) {
    const auto row = body.find(site);
    if (row == std::string::npos) return std::string("no row");
    const auto end = body.find("</tr>", row);
    return body.substr(row, end - row);
  };
  EXPECT_NE(state_of("site-expired").find("expiré"), std::string::npos) << state_of("site-expired");
  EXPECT_NE(state_of("site-used").find("épuisé"), std::string::npos) << state_of("site-used") << used;
  EXPECT_NE(state_of("site-active").find("actif"), std::string::npos) << state_of("site-active");
}

// RFC 9110: HEAD wherever GET is (§9.1), 405 with Allow (§15.5.6), auth
// schemes case-insensitive (§11.1); an Accept-Language weight "nan" is a
// malformed weight (counts as 1), not undefined behaviour.
TEST_F(DashboardPages, HttpMethodsAndHeadersAsRfc9110Says) {
  const auto head = viewer.request("HEAD", "/fleet");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(Client{*world.dashboard}.request("HEAD", "/fleet").status, 303);  // to the login form, as GET
  EXPECT_EQ(Client{*world.dashboard}.request("HEAD", "/login").status, 200);
  const auto put = viewer.request("PUT", "/fleet");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.header("Allow"), "GET, HEAD");
  EXPECT_EQ(Client{*world.dashboard}.request("PUT", "/login").header("Allow"), "GET, HEAD, POST");
  const auto token = world.dashboard->users().create_api_token("viewer", kNow);
  Client script{*world.dashboard};
  EXPECT_EQ(script.get("/api/v1/hosts", {{"authorization", "bearer " + token}}).status, 200);
  EXPECT_EQ(script.get("/api/v1/hosts", {{"authorization", "BEARER " + token}}).status, 200);
  EXPECT_EQ(viewer.get("/hosts?q=" + std::string(9000, 'a')).status, 414);
  // Ids are whole numbers: "1abc" and " 1" were report 1.
  EXPECT_EQ(viewer.get("/report?id=1abc&part=report").status, 400);
  EXPECT_EQ(viewer.get("/report?id=%201&part=report").status, 400);
  EXPECT_EQ(viewer.get("/report?id=1&part=report").status, 200);
  const auto english = viewer.get("/fleet", {{"accept-language", "en;q=nan"}});
  EXPECT_EQ(english.status, 200);
}

// The list's policy filter applies to its export (DESIGN §7: "with the
// filters applied"); it was ignored and every policy's rows exported.
TEST_F(DashboardPages, HostsExportKeepsOnlyTheFilteredPolicy) {
  const auto csv = viewer.get("/hosts?policy=ekermed&format=csv").body;
  EXPECT_NE(csv.find("ekermed.antispam.whitelist"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("apicrypt-v1.binary.apicrypt"), std::string::npos) << csv;
  const auto api = viewer.get("/api/v1/export?policy=apicrypt-v1&format=json").body;
  EXPECT_NE(api.find("apicrypt-v1.binary.apicrypt"), std::string::npos) << api;
  EXPECT_EQ(api.find("ekermed.antispam.whitelist"), std::string::npos) << api;
}

TEST_F(DashboardPages, NothingChangesAReport) {
  for (const char* target : {"/host?id=beta", "/report?id=1&part=report", "/api/v1/reports?host=beta"}) {
    const auto csrf = admin.csrf_from(admin.get("/fleet").body);
    EXPECT_EQ(admin.post(target, "csrf=" + csrf).status, 405) << target;
  }
  EXPECT_EQ(world.storage->report_count(), 11U);  // as seeded
}

TEST_F(DashboardPages, ApiTokenForScripts) {
  const auto token = world.dashboard->users().create_api_token("viewer", kNow);
  Client script{*world.dashboard};
  const auto response = script.get("/api/v1/reports?host=beta", {{"authorization", "Bearer " + token}});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body).size(), 4U);
  EXPECT_EQ(script.get("/api/v1/anomalies", {{"authorization", "Bearer " + token}}).status, 200);
  world.dashboard->users().remove("viewer");
  EXPECT_EQ(script.get("/api/v1/hosts", {{"authorization", "Bearer " + token}}).status, 401);
}

TEST_F(DashboardPages, ErrorsShowNoInternals) {
  EXPECT_EQ(viewer.get("/nope").status, 404);
  EXPECT_EQ(viewer.get("http://absolute/").status, 400);
  const auto weird = viewer.get("/anomalies?kind=<x>");
  EXPECT_EQ(weird.status, 400);
  EXPECT_EQ(weird.body.find("<x>"), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit::dashboard::test
