// Server time of the dashboard's pages on a large store (issue #13
// benchmark): 2,000 hosts x 90 days of daily reports, 20 results each
// (180,000 reports, 3.6 M results), on SQLite or PostgreSQL.
//   bench_dashboard DATABASE_URL [--hosts N] [--days D] [--requests R]
// An empty database is created with the collector's own schema
// (Storage::migrate) and seeded with one bulk transaction per host, in
// multi-row INSERTs (not
// through ingest, whose per-report fsync would take half an hour: the rows
// are the same). Then each page is asked R times in-process
// (Dashboard::handle, what `serve` runs per request) and the median and p99
// are printed beside the goal (median < 100 ms, p99 < 300 ms).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dashboard.hpp"
#include "sql.hpp"
#include "storage.hpp"
#include "web.hpp"

using namespace clinic_audit;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kChecks[] = {"binary.apicrypt",     "binary.apicryptpj", "binary.apiuncrypt",
                                   "binary.apiuncryptpj", "sudoers.grants",    "sudoers.no-broader-grant",
                                   "apache.privatetmp",   "php.sys_temp_dir",  "openssl.seclevel",
                                   "clefs.permissions"};

std::string machine_id(int host) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%032x", 0x51c0de00 + host);
  return buffer;
}

void seed(const std::string& url, int hosts, int days, std::int64_t now) {
  auto db = dashboard::open_sql(url);
  std::mt19937 random(42);
  const std::int64_t first_day = now - static_cast<std::int64_t>(days) * 86400;
  std::int64_t report_id = 0;
  const auto started = Clock::now();
  for (int h = 0; h < hosts; ++h) {
    const std::string id = machine_id(h);
    const std::string hostname = "cabinet-" + std::to_string(h) + ".example.fr";
    // A host is broken on one check for a stretch of days, sometimes.
    const int broken_check = static_cast<int>(random() % 20);
    const int broken_from = static_cast<int>(random() % static_cast<unsigned>(days));
    const bool stops_reporting = random() % 50 == 0;
    // Multi-row INSERTs (one statement for the host's reports, one per ten
    // reports' results): PostgreSQL pays a round trip per statement, which
    // made a row-by-row seeding of 3.6 M results take hours.
    std::string report_sql, result_sql;
    std::vector<dashboard::SqlValue> report_params, result_params;
    const auto flush_results = [&] {
      if (result_params.empty()) return;
      db->query("INSERT INTO results (report, position, check_id, policy_id, type, title, severity, status, summary,"
                " evidence, remediation) VALUES " +
                    result_sql,
                result_params);
      result_sql.clear();
      result_params.clear();
    };
    dashboard::in_transaction(*db, [&] {
      db->query("INSERT INTO hosts (machine_id, hostname, site, cert_fingerprint, first_seen) VALUES (?, ?, ?, ?, ?)",
                {id, hostname, "site-" + std::to_string(h % 40), "fp-" + id, first_day});
      const std::int64_t first_report = report_id + 1;
      for (int d = 0; d < days - (stops_reporting ? 10 : 0); ++d) {
        ++report_id;
        const std::int64_t started_at = first_day + static_cast<std::int64_t>(d) * 86400 + 3600 + h;
        const bool failing = d >= broken_from && broken_check < 10;
        report_sql += report_sql.empty() ? "" : ", ";
        report_sql += "(?, ?, ?, ?, ?, NULL, ?, ?, ?, 'json', ?, ?, ?, ?, 'ok', ?, ?, ?, 0, 0, 0, 0)";
        for (dashboard::SqlValue v :
             std::vector<dashboard::SqlValue>{report_id, "r-" + std::to_string(report_id), id, hostname,
                                              std::int64_t{d + 1}, "sha-" + std::to_string(report_id), started_at,
                                              started_at + 60, std::string("{}"), std::string("sig"), "fp-" + id,
                                              "CN=" + hostname, std::int64_t{failing ? 0 : 1},
                                              std::int64_t{failing ? 19 : 20}, std::int64_t{failing ? 1 : 0}})
          report_params.push_back(std::move(v));
      }
      if (!report_params.empty()) {
        db->query("INSERT INTO reports (id, report_id, machine_id, hostname, sequence, previous_sha256, sha256,"
                  " started_at, received_at, format, bytes, signature, signer_fingerprint, signer_subject, chain,"
                  " compliant, n_pass, n_fail, n_error, n_not_applicable, n_waived, n_skipped) VALUES " +
                      report_sql,
                  report_params);
      }
      for (std::int64_t r = first_report; r <= report_id; ++r) {
        const int d = static_cast<int>(r - first_report);
        const bool failing = d >= broken_from && broken_check < 10;
        for (int c = 0; c < 20; ++c) {
          const std::string policy = c < 10 ? "apicrypt-v1" : (c < 16 ? "apicrypt-v2" : "ekermed");
          const std::string check = policy + "." + kChecks[c % 10];
          const bool fail = failing && c == broken_check;
          result_sql += result_sql.empty() ? "" : ", ";
          result_sql += "(?, ?, ?, ?, 'file', ?, 'high', ?, ?, ?, ?)";
          for (dashboard::SqlValue v : std::vector<dashboard::SqlValue>{
                   r, std::int64_t{c}, check, policy, "Title of " + check, std::string(fail ? "fail" : "pass"),
                   std::string(fail ? "owned by www-data" : "as required"),
                   std::string(
                       R"([{"path":"/home/ehr/apicrypt/bin/apicrypt","line":null,"observed":"x","expected":"y"}])"),
                   std::string(fail ? "chown root:root /home/ehr/apicrypt/bin/apicrypt" : "")})
            result_params.push_back(std::move(v));
        }
        if ((r - first_report) % 10 == 9) flush_results();
      }
      flush_results();
      db->query("UPDATE hosts SET latest_report = ?, latest_started_at = (SELECT started_at FROM reports WHERE id = ?),"
                " last_received = (SELECT received_at FROM reports WHERE id = ?) WHERE machine_id = ?",
                {report_id, report_id, report_id, id});
    });
    if (h % 200 == 199) {
      std::printf("  seeded %d hosts (%.0f s)\n", h + 1, std::chrono::duration<double>(Clock::now() - started).count());
      std::fflush(stdout);
    }
  }
  if (!db->postgres()) db->exec("ANALYZE");
}

struct Figures {
  double median, p99, max, cpu_median, cpu_p99;
};

// CPU time of this thread: on a loaded machine wall time also counts the
// time other processes held the cores; CPU time is what the page cost.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

Figures measure(dashboard::Dashboard& board, const std::string& cookie, const std::vector<std::string>& targets,
                std::int64_t now) {
  std::vector<double> ms, cpu;
  for (const auto& target : targets) {
    dashboard::WebRequest request{"GET", target, {{"cookie", cookie}}, {}, "127.0.0.1"};
    const auto t0 = Clock::now();
    const double c0 = thread_cpu_ms();
    const auto response = board.handle(request, now);
    cpu.push_back(thread_cpu_ms() - c0);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (response.status != 200) std::printf("  ! %s answered %d\n", target.c_str(), response.status);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  const auto at = [](const std::vector<double>& v, double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  return {at(ms, 0.5), at(ms, 0.99), ms.back(), at(cpu, 0.5), at(cpu, 0.99)};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_dashboard DATABASE_URL [--hosts N] [--days D] [--requests R]\n");
    return 64;
  }
  const std::string url = argv[1];
  int hosts = 2000, days = 90, requests = 50;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--hosts")) hosts = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--days")) days = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--requests")) requests = std::atoi(argv[i + 1]);
  }
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  {
    auto storage = collector::open_storage(url);
    storage->migrate();
    if (storage->report_count() == 0) {
      std::printf("seeding %d hosts x %d days x 20 results on %s\n", hosts, days, url.c_str());
      seed(url, hosts, days, now);
    }
    std::printf("store: %zu reports\n", storage->report_count());
  }
  dashboard::DashboardConfig config;
  config.database_url = url;
  dashboard::Dashboard board(config);
  if (!board.users().find("bench")) board.users().add("bench", dashboard::Role::viewer, "bench password 123", now);
  const std::string token = board.users().open_session("bench", now);
  const std::string cookie = "ca_session=" + token;

  std::mt19937 random(7);
  std::vector<std::string> fleet(static_cast<std::size_t>(requests), "/fleet"), filtered, host, at;
  for (int i = 0; i < requests; ++i) {
    filtered.push_back("/hosts?policy=apicrypt-v1&check=apicrypt-v1." + std::string(kChecks[random() % 10]) +
                       "&page=" + std::to_string(1 + random() % 2));
    host.push_back("/host?id=" + machine_id(static_cast<int>(random() % static_cast<unsigned>(hosts))));
    at.push_back("/at?date=" + dashboard::format_day(
                                   now - static_cast<std::int64_t>(random() % static_cast<unsigned>(days)) * 86400));
  }
  const auto cold = measure(board, cookie, {"/fleet"}, now);
  std::printf("\nFleet, first view (computes and stores %d trend days): %.0f ms\n\n", days - 1, cold.max);
  std::printf("%-24s %10s %10s %10s %12s %10s   goal: median < 100 ms, p99 < 300 ms\n", "page (server time)", "median",
              "p99", "max", "CPU median", "CPU p99");
  for (const auto& [name, targets] : {std::pair{"Fleet", fleet}, std::pair{"Hosts (filtered)", filtered},
                                      std::pair{"Host", host}, std::pair{"Compliance at date", at}}) {
    const auto f = measure(board, cookie, targets, now);
    std::printf("%-24s %7.1f ms %7.1f ms %7.1f ms %9.1f ms %7.1f ms\n", name, f.median, f.p99, f.max, f.cpu_median,
                f.cpu_p99);
  }
  return 0;
}
