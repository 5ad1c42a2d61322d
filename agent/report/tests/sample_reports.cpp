#include "sample_reports.hpp"

#include <string>

namespace clinic_audit::testing {
namespace {

using namespace std::string_literals;

Report base_report() {
  Report report;
  report.report_id = "0b8f5a9e-3c1d-4e2f-9a7b-6c5d4e3f2a1b";
  report.agent_version = "0.1.0";
  report.host = {"cabinet-médical-01", "0123456789abcdef0123456789abcdef", "Debian GNU/Linux 12 (bookworm)"};
  report.run.started_at = "2026-11-22T15:04:05Z";
  report.run.finished_at = "2026-11-22T15:04:07.250Z";
  report.run.trigger = "manual";
  report.run.root = "/";
  report.run.sequence = 42;
  report.run.previous_sha256 = std::string(64, 'a');
  report.run.duration_seconds = 2.25;
  report.policies = {
      {"apicrypt-v2", "3", std::string(64, 'b'), "Apicrypt v2"},
      {"ekermed", "1", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "e-KerMed"},
  };
  return report;
}

ResultRecord result(std::string check_id, std::string policy_id, Severity severity, Status status,
                    std::string summary) {
  ResultRecord out;
  out.check_id = std::move(check_id);
  out.policy_id = std::move(policy_id);
  out.type = "file";
  out.title = "Title of " + out.check_id;
  out.severity = severity;
  out.status = status;
  out.summary = std::move(summary);
  out.duration_ms = 12;
  return out;
}

}  // namespace

Report every_status_report() {
  Report report = base_report();
  auto sudo = result("sudoers-www-data", "apicrypt-v2", Severity::critical, Status::fail,
                     "www-data may run ALL as root: \"ALL=(ALL) NOPASSWD: ALL\" & <more>");
  sudo.type = "sudoers";
  sudo.evidence = {{"/etc/sudoers.d/medshake", 3, "www-data ALL=(ALL) NOPASSWD: ALL",
                    "www-data ALL=(root) NOPASSWD: /usr/local/bin/apicrypt"},
                   {"/etc/sudoers", std::nullopt, "#includedir /etc/sudoers.d", "<included>"}};
  sudo.remediation =
      "Remplacez la ligne par :\n  www-data ALL=(root) NOPASSWD: /usr/local/bin/apicrypt\npuis `visudo -c`.";
  sudo.duration_ms = 1234;
  report.results.push_back(sudo);

  auto binary = result("apicrypt-binary-owner", "apicrypt-v2", Severity::high, Status::fail,
                       "/usr/local/bin/apicrypt is writable by www-data");
  binary.evidence = {{"/usr/local/bin/apicrypt", std::nullopt, "owner www-data mode 0775", "owner root mode 0755"}};
  binary.remediation = "chown root:root /usr/local/bin/apicrypt && chmod 0755 /usr/local/bin/apicrypt";
  report.results.push_back(binary);

  auto seclevel = result("openssl-seclevel", "apicrypt-v2", Severity::medium, Status::fail,
                         "SECLEVEL=3 rejects Apicrypt's RSA-1024 keys");
  seclevel.type = "openssl";
  seclevel.evidence = {
      {"/etc/ssl/openssl.cnf", 62, "CipherString = DEFAULT@SECLEVEL=3\r\n", "CipherString = DEFAULT@SECLEVEL=1"}};
  report.results.push_back(seclevel);

  report.results.push_back(result("php-sys-temp-dir", "apicrypt-v2", Severity::low, Status::fail,
                                  "sys_temp_dir diverted | 'quoted' \\backslash\\"));
  report.results.push_back(
      result("browser-matrix", "ekermed", Severity::info, Status::fail, "Firefox ESR 91 < 102 (matrice)"));

  auto unreachable = result("reach-visio", "ekermed", Severity::high, Status::error,
                            "cannot resolve visio.esante-bretagne.fr:\nSERVFAIL");
  unreachable.type = "reachability";
  unreachable.evidence = {{"", std::nullopt, "DNS: SERVFAIL", "A/AAAA records"}};
  unreachable.remediation = "Check /etc/resolv.conf";
  report.results.push_back(unreachable);

  auto ok = result("private-tmp", "apicrypt-v2", Severity::high, Status::pass, "PrivateTmp=false (Ünïcödé ✓ 日本 🏥)");
  ok.type = "systemd_unit";
  ok.evidence = {{"/etc/systemd/system/apache2.service.d/override.conf", 2, "PrivateTmp=false", "PrivateTmp=false"}};
  report.results.push_back(ok);

  report.results.push_back(result("php-fpm-private-tmp", "apicrypt-v2", Severity::medium, Status::not_applicable,
                                  "php-fpm is not installed"));

  auto waived = result("clefs-permissions", "apicrypt-v2", Severity::medium, Status::waived, "Clefs is 0777 (waived)");
  waived.waiver_reason = "Ticket #123 <IT> & \"migration\" until 2027-01-31";
  waived.evidence = {{"/home/EHR/Clefs", std::nullopt, "0777", "0770"}};
  report.results.push_back(waived);

  auto udp = result("udp-media", "ekermed", Severity::low, Status::skipped, "--offline: network probes skipped");
  udp.type = "reachability";
  udp.duration_ms = 0;
  report.results.push_back(udp);
  return report;
}

Report invalid_text_report() {
  Report report = base_report();
  report.run.previous_sha256.reset();
  report.run.trigger = "post-upgrade";
  report.host.os_release = "Debian \xff\xfe GNU/Linux";
  // Host-derived values the schemas must accept: a golden image's machine-id
  // marker (machine-id(5)), no hostname file.
  report.host.machine_id = "uninitialized";
  report.host.hostname = "";
  auto bad = result("php-ini-bytes", "apicrypt-v2", Severity::high, Status::fail,
                    "binary junk: \x1b[31mred\x1b[0m \xc2\x9b"
                    "31m C1 CSI, NUL:"s +
                        '\0' + " end");
  bad.evidence = {
      {"/etc/php/8.2/apache2/php.ini\xc3\x28", 7,
       "sys_temp_dir = \"/tmp/\xe2\x82\" \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf \xef\xbf\xbe \x7f tab\there"s,
       "absent"}};
  bad.remediation = "Remove line 7\x07";
  report.results.push_back(bad);
  return report;
}

Report empty_report() {
  Report report = base_report();
  report.run.previous_sha256.reset();
  report.run.trigger = "timer";
  report.policies.clear();
  report.run.sequence = 0;
  return report;
}

}  // namespace clinic_audit::testing
