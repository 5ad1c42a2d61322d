// Enrolment (issue #11 item 3), the command line (item 1), /metrics and
// /healthz (item 8), export (item 9).
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>

#include <nlohmann/json.hpp>

#include "collector_harness.hpp"

namespace clinic_audit::collector::test {
namespace {

const std::string kMachineA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  return trimmed.substr(trimmed.rfind('\n') + 1);
}

Collector::Response enrol(Collector& collector, const std::string& token, const std::string& csr_pem) {
  write_file(collector.dir() / "enrol.json", nlohmann::json{{"token", token}, {"csr_pem", csr_pem}}.dump());
  return collector.curl("-H 'Content-Type: application/json' --data-binary @" + quote(collector.dir() / "enrol.json") +
                        " " + quote(collector.url("/api/v1/enroll")));
}

TEST(CollectorEnrolment, TokenGivesACertificateOnceAndIsStoredHashed) {
  Collector collector;
  const Shell created = collector.cli("token create --uses 1 --site 'Clinique du Port' --expires 2099-12-31");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const std::string secret = last_line(created.output);
  ASSERT_EQ(secret.size(), 43U) << created.output;  // 256 bits, base64url
  // Never stored in clear.
  EXPECT_EQ(
      sh("sqlite3 " + quote(collector.dir() / "data" / "collector.db") + " .dump | grep -c -e " + quote(secret)).output,
      "0\n");
  const AgentIdentity agent = collector.make_csr("cab-a", kMachineA);
  const auto response = enrol(collector, secret, read_file(collector.dir() / "cab-a.csr"));
  ASSERT_EQ(response.status, 201) << response.body;
  const auto body = nlohmann::json::parse(response.body);
  write_file(agent.cert, body["certificate_pem"].get<std::string>());
  write_file(collector.dir() / "issued-ca.pem", body["ca_pem"].get<std::string>());
  EXPECT_EQ(read_file(collector.dir() / "issued-ca.pem"), read_file(collector.ca_cert()));
  // Stock OpenSSL: the certificate chains to the CA and names the host.
  const Shell check = sh("openssl verify -CAfile " + quote(collector.ca_cert()) + " -purpose sslclient " +
                         quote(agent.cert) + " && openssl x509 -noout -subject -in " + quote(agent.cert));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("serialNumber = " + kMachineA), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("CN = cab-a"), std::string::npos) << check.output;
  // The enrolled agent submits; its host carries the token's site.
  const SignedReport report = collector.make_report(agent, seq(1));
  EXPECT_EQ(collector.submit(report, &agent).status, 201);
  EXPECT_EQ(sh("sqlite3 " + quote(collector.dir() / "data" / "collector.db") + " 'SELECT site FROM hosts'").output,
            "Clinique du Port\n");
  // The token is used up: a replay gets 401, and it is logged.
  const auto replay = enrol(collector, secret, read_file(collector.dir() / "cab-a.csr"));
  EXPECT_EQ(replay.status, 401) << replay.body;
  EXPECT_NE(collector.log().find("401 token_refused_used_up"), std::string::npos);
  EXPECT_EQ(collector.log().find(secret), std::string::npos) << "a secret was logged";
}

TEST(CollectorEnrolment, UnknownExpiredRevokedTokensAndBadCsrs) {
  Collector collector;
  const AgentIdentity agent = collector.make_csr("cab-a", kMachineA);
  const std::string csr = read_file(collector.dir() / "cab-a.csr");
  EXPECT_EQ(enrol(collector, "not-a-token", csr).status, 401);
  // A token whose expiry is past cannot be created; one that expires in a
  // second is refused once it has.
  const Shell past = collector.cli("token create --expires 2020-01-01");
  EXPECT_EQ(past.exit_code, 64) << past.output;
  EXPECT_NE(past.output.find("already past"), std::string::npos) << past.output;
  const std::time_t soon = std::time(nullptr) + 2;
  char soon_text[32];
  std::strftime(soon_text, sizeof soon_text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&soon));
  const std::string expired = last_line(collector.cli(std::string("token create --expires ") + soon_text).output);
  sleep(3);
  EXPECT_EQ(enrol(collector, expired, csr).status, 401);
  const Shell created = collector.cli("token create --uses 5");
  const std::string revoked = last_line(created.output);
  const std::string id = created.output.substr(6, created.output.find(' ', 6) - 6);
  EXPECT_EQ(collector.cli("token revoke " + id).exit_code, 0);
  EXPECT_EQ(enrol(collector, revoked, csr).status, 401);
  const Shell list = collector.cli("token list");
  EXPECT_NE(list.output.find("revoked"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("expired"), std::string::npos) << list.output;
  EXPECT_EQ(list.output.find(revoked), std::string::npos);
  // A control character in the site label would forge a column or a line of the list.
  const Shell tab = collector.cli("token create --site \"$(printf 'a\\tb')\"");
  EXPECT_EQ(tab.exit_code, 64) << tab.output;
  // An unknown token is 401 whatever the CSR: the token is checked first.
  EXPECT_EQ(enrol(collector, "not-a-token", "not a CSR").status, 401);
  // A good token is not consumed by a bad CSR (uses 1: the good CSR at the
  // end still gets its certificate).
  const std::string good = last_line(collector.cli("token create --uses 1").output);
  EXPECT_EQ(
      enrol(collector, good, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n").status,
      400);
  // No serialNumber (machine-id) in the subject; then an RSA key of 1024 bits.
  const Shell no_id =
      sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
         quote(collector.dir() / "n.key") + " -subj /CN=nomid -out " + quote(collector.dir() / "n.csr") +
         " && openssl req -new -newkey rsa:1024 -nodes -keyout " + quote(collector.dir() / "r.key") +
         " -subj /CN=weak/serialNumber=" + kMachineA + " -out " + quote(collector.dir() / "r.csr"));
  ASSERT_EQ(no_id.exit_code, 0) << no_id.output;
  auto refused = enrol(collector, good, read_file(collector.dir() / "n.csr"));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("machine-id"), std::string::npos) << refused.body;
  refused = enrol(collector, good, read_file(collector.dir() / "r.csr"));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("1024 bits"), std::string::npos) << refused.body;
  EXPECT_EQ(collector
                .curl("-H 'Content-Type: application/json' --data-binary '{\"token\": 3}' " +
                      quote(collector.url("/api/v1/enroll")))
                .status,
            400);
  EXPECT_EQ(enrol(collector, good, csr).status, 201);
  for (const char* outcome : {"token_refused_unknown", "token_refused_expired", "token_refused_revoked"}) {
    EXPECT_NE(collector.log().find(outcome), std::string::npos) << outcome;
  }
}

// The CSR's CN becomes the certificate's CN and SAN dNSName: an RFC 1123
// host name of at most 64 characters (the CN's bound), not an address. A
// 65-character CN was a 500 (the certificate could not hold it).
TEST(CollectorEnrolment, CsrHostNameMustBeAHostName) {
  Collector collector;
  // openssl req itself refuses a CN over 64 characters; its ASN.1 string
  // table, raised here (config module stbl_section), lets the test make one.
  write_file(collector.dir() / "long-cn.cnf",
             "openssl_conf = openssl_init\n[openssl_init]\nstbl_section = stbl\n[stbl]\ncommonName = min:1,max:300\n"
             "[req]\ndistinguished_name = dn\n[dn]\n");
  const auto csr_for = [&](const std::string& cn) {
    const auto file = collector.dir() / "h.csr";
    const Shell made = sh("OPENSSL_CONF=" + quote(collector.dir() / "long-cn.cnf") +
                          " openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                          quote(collector.dir() / "h.key") + " -subj " +
                          quote("/CN=" + cn + "/serialNumber=" + kMachineA) + " -out " + quote(file));
    EXPECT_EQ(made.exit_code, 0) << made.output;
    return read_file(file);
  };
  const std::string token = last_line(collector.cli("token create --uses 10").output);
  for (const std::string& cn : {std::string(65, 'a'), std::string("a.") + std::string(64, 'b'), std::string("host1."),
                                std::string("..."), std::string("-"), std::string("_"), std::string("-host"),
                                std::string("192.168.1.10"), std::string("a..b"), std::string("h\\,x")}) {
    const auto refused = enrol(collector, token, csr_for(cn));
    EXPECT_EQ(refused.status, 400) << cn << ": " << refused.body;
    EXPECT_NE(refused.body.find("host name"), std::string::npos) << cn << ": " << refused.body;
  }
  for (const std::string& cn : {std::string("PC_ACCUEIL"), std::string("cab-1.clinique.example"),
                                std::string(31, 'x') + "." + std::string(32, 'y')}) {
    const auto issued = enrol(collector, token, csr_for(cn));
    EXPECT_EQ(issued.status, 201) << cn << ": " << issued.body;
  }
  EXPECT_EQ(collector.log().find("internal error"), std::string::npos) << collector.log();
}

TEST(CollectorCli, UsageAndConfigurationErrorsExitCodes) {
  Collector collector("", false);
  EXPECT_EQ(collector.cli("").exit_code, 64);
  EXPECT_EQ(collector.cli("frobnicate").exit_code, 64);
  EXPECT_EQ(collector.cli("export --format yaml").exit_code, 64);
  const Shell help = collector.cli("token create --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--expires"), std::string::npos);
  for (const char* command : {"serve", "init", "token", "export", "verify"}) {
    EXPECT_EQ(collector.cli(std::string(command) + " --help").exit_code, 0) << command;
  }
  write_file(collector.dir() / "bad.conf",
             "<collector-config xmlns=\"urn:clinic-audit:collector:1\">\n"
             "  <listen port=\"8443\"/>\n  <limits body-bytes=\"-4\"/>\n</collector-config>\n");
  Shell bad = sh(quote(collector_binary()) + " --config " + quote(collector.dir() / "bad.conf") + " init");
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.output.find("bad.conf:3:"), std::string::npos) << bad.output;
  write_file(collector.dir() / "bad.conf",
             "<collector-config xmlns=\"urn:clinic-audit:collector:1\">\n<listen port=\"1\">\n");
  bad = sh(quote(collector_binary()) + " --config " + quote(collector.dir() / "bad.conf") + " init");
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.output.find("bad.conf:3:"), std::string::npos) << bad.output;
  bad = sh(quote(collector_binary()) + " --config " + quote(collector.dir() / "missing.conf") + " verify");
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.output.find("missing.conf"), std::string::npos);
  // init again: the CA is never replaced.
  const Shell again = collector.cli("init --create-ca");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("refusing to replace"), std::string::npos) << again.output;
  EXPECT_EQ(collector.cli("init").exit_code, 0);
  // A database newer than the program is refused.
  sh("sqlite3 " + quote(collector.dir() / "data" / "collector.db") + " 'UPDATE schema_version SET version = 99'");
  const Shell newer = collector.cli("init");
  EXPECT_NE(newer.exit_code, 0);
  EXPECT_NE(newer.output.find("newer"), std::string::npos) << newer.output;
  EXPECT_EQ(collector.cli("verify").exit_code, 65);
}

TEST(CollectorCli, ServerCertificateNamesHostLocalhostAndLoopback) {
  Collector collector("", false);
  const Shell text = sh("openssl x509 -noout -ext subjectAltName -in " +
                        quote(collector.dir() / "data" / "server.crt") + " && openssl verify -CAfile " +
                        quote(collector.ca_cert()) + " " + quote(collector.dir() / "data" / "server.crt"));
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("DNS:localhost"), std::string::npos);
  EXPECT_NE(text.output.find("IP Address:127.0.0.1"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(collector.ca_key()).permissions() & std::filesystem::perms::others_all,
            std::filesystem::perms::none);
}

TEST(CollectorServe, MetricsPassPromtoolAndHealthz) {
  Collector collector;
  const AgentIdentity agent = collector.issue("cab-a", kMachineA);
  const SignedReport one = collector.make_report(agent, seq(1));
  const SignedReport three = collector.make_report(agent, seq(3).with_results(2));
  ASSERT_EQ(collector.submit(one, &agent).status, 201);
  ASSERT_EQ(collector.submit(one, &agent).status, 200);
  ASSERT_EQ(collector.submit(three, &agent).status, 201);  // restart (no previous)
  EXPECT_EQ(collector.submit(one, nullptr).status, 403);
  const auto health = collector.curl(quote(collector.url("/healthz")));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "{\"status\":\"ok\"}");
  const auto metrics = collector.curl(quote(collector.url("/metrics")));
  ASSERT_EQ(metrics.status, 200);
  write_file(collector.dir() / "metrics.txt", metrics.body);
  const Shell promtool = sh("promtool check metrics < " + quote(collector.dir() / "metrics.txt"));
  EXPECT_EQ(promtool.exit_code, 0) << promtool.output << metrics.body;
  for (const char* line :
       {"clinic_audit_collector_reports_ingested_total{outcome=\"stored\"} 2",
        "clinic_audit_collector_reports_ingested_total{outcome=\"duplicate\"} 1",
        "clinic_audit_collector_reports_ingested_total{outcome=\"forbidden\"} 1",
        "clinic_audit_collector_chain_anomalies_total{kind=\"restart\"} 1",
        "clinic_audit_collector_ingest_duration_seconds_count 4", "clinic_audit_collector_hosts{state=\"fresh\"} 1"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  }
  // Other paths are the dashboard's: a login first (pages), an API token or session (read API).
  EXPECT_EQ(collector.curl(quote(collector.url("/nowhere"))).status, 303);
  EXPECT_EQ(collector.curl(quote(collector.url("/api/v1/reports"))).status, 401);
}

TEST(CollectorExport, LatestAtDatePolicyFilterAndHistory) {
  Collector collector;
  const AgentIdentity a = collector.issue("cab-a", kMachineA);
  const AgentIdentity b = collector.issue("cab-b", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  const SignedReport a1 = collector.make_report(a, seq(1).with_started_at("2026-01-10T08:00:00Z").with_results(2));
  const SignedReport a2 =
      collector.make_report(a, seq(2, a1.sha256).with_started_at("2026-02-10T08:00:00Z").with_results(3));
  const SignedReport b1 = collector.make_report(b, seq(1).with_started_at("2026-02-01T08:00:00Z").with_results(1));
  for (const auto* r : {&a1, &a2}) ASSERT_EQ(collector.submit(*r, &a).status, 201);
  ASSERT_EQ(collector.submit(b1, &b).status, 201);
  auto rows_at = [&](const std::string& at) {
    const Shell out = collector.cli("export --format json --at " + at);
    EXPECT_EQ(out.exit_code, 0) << out.output;
    return nlohmann::json::parse(out.output);
  };
  EXPECT_EQ(rows_at("2026-01-01").size(), 0U);
  auto rows = rows_at("2026-01-31");
  ASSERT_EQ(rows.size(), 2U);  // a1's two checks
  EXPECT_EQ(rows[0]["report_id"], a1.report_id);
  rows = rows_at("2026-03-01");
  EXPECT_EQ(rows.size(), 4U);  // a2's three + b1's one
  EXPECT_EQ(collector.cli("export --policy other-policy --format json").output, "[]\n");
  const Shell csv = collector.cli("export --history");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 4) << csv.output;  // header + 3 reports
  EXPECT_EQ(csv.output.rfind("report_id,machine_id,hostname,sequence", 0), 0U) << csv.output;
  EXPECT_EQ(collector.cli("export --at yesterday").exit_code, 64);
}

TEST(CollectorVerify, NamesAChangedByteInTheStore) {
  Collector collector;
  const AgentIdentity a = collector.issue("cab-a", kMachineA);
  const SignedReport a1 = collector.make_report(a, seq(1));
  ASSERT_EQ(collector.submit(a1, &a).status, 201);
  std::string output;
  EXPECT_TRUE(collector.verify_passes(&output)) << output;
  collector.stop();
  sh("sqlite3 " + quote(collector.dir() / "data" / "collector.db") +
     " \"UPDATE reports SET bytes = CAST(replace(CAST(bytes AS TEXT), 'timer', 'Timer') AS BLOB)\"");
  EXPECT_FALSE(collector.verify_passes(&output));
  EXPECT_NE(output.find("report altered after signing"), std::string::npos) << output;
}

// A store made by a collector of schema version 1 (with the two `results`
// indexes that version 2 drops) is upgraded in place by `init`, the step
// the service runs at every start: its reports are kept, verify still
// passes, and ingest goes on with the chain judged across the upgrade.
TEST(CollectorSchema, VersionOneStoreIsUpgradedKeepingItsReports) {
  Collector collector;
  const AgentIdentity a = collector.issue("cab-a", kMachineA);
  const SignedReport a1 = collector.make_report(a, seq(1).with_results(3));
  ASSERT_EQ(collector.submit(a1, &a).status, 201);
  collector.stop();
  const std::string db = quote(collector.dir() / "data" / "collector.db");
  const Shell down = sh("sqlite3 " + db +
                        " 'CREATE INDEX results_check ON results (check_id, status);"
                        " CREATE INDEX results_policy ON results (policy_id);"
                        " UPDATE schema_version SET version = 1'");
  ASSERT_EQ(down.exit_code, 0) << down.output;
  const Shell init = collector.cli("init");
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_EQ(last_line(sh("sqlite3 " + db + " 'SELECT version FROM schema_version'").output), "2");
  EXPECT_EQ(last_line(sh("sqlite3 " + db +
                         " \"SELECT count(*) FROM sqlite_master WHERE name IN ('results_check', 'results_policy')\"")
                          .output),
            "0");
  EXPECT_EQ(last_line(sh("sqlite3 " + db + " 'SELECT count(*) FROM results'").output), "3");
  std::string output;
  EXPECT_TRUE(collector.verify_passes(&output)) << output;
  collector.start();
  const SignedReport a2 = collector.make_report(a, seq(2, a1.sha256));
  EXPECT_EQ(collector.submit(a2, &a).status, 201);
  EXPECT_TRUE(collector.verify_passes(&output)) << output;
}

}  // namespace
}  // namespace clinic_audit::collector::test
