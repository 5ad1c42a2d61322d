// The collector's storage alone (issue #11 "Benchmarks"): how much of an
// ingest is the store's. Prepared IncomingReports shaped like
// bench_ingest's (20 results with 5 evidence lines each, ~24 KB of report
// bytes, a 1.2 KB signature), chained per host as an agent sends them, go
// through Storage::ingest_async() exactly as the server's workers hand them
// over: each of N "agents" sends its next report when the previous one is
// acknowledged (committed), so the batches are what N concurrent agents
// give. The chain judge is the server's (judge_chain). Prints reports/s,
// latency (ingest_async -> done) and the process's CPU per report
// (getrusage: the figure a shared machine's neighbours change least); run
// it under callgrind for instructions per report (counted from the first
// ingest on).
//   bench_storage --url sqlite:/tmp/x.db|postgresql://... [--agents 200] [--reports 20] [--machine-prefix P]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ingest_service.hpp"
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#endif

#include "sqlite_storage.hpp"
#include "storage.hpp"

using namespace clinic_audit::collector;
using Clock = std::chrono::steady_clock;

namespace {

std::string hex64(std::uint64_t a, std::uint64_t b) {
  char buffer[65];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b), static_cast<unsigned long long>(a ^ 0x9e3779b97f4a7c15ULL),
                static_cast<unsigned long long>(b * 31 + 7));
  return buffer;
}

// One report of `machine_id`, as the ingest route hands it to the storage.
std::shared_ptr<IncomingReport> make_report(const std::string& machine_id, int agent, std::uint64_t sequence,
                                            const std::optional<std::string>& previous, std::mt19937_64& engine) {
  auto in = std::make_shared<IncomingReport>();
  ReportRow& row = in->row;
  row.report_id = hex64(engine(), engine()).substr(0, 36);
  row.machine_id = machine_id;
  row.hostname = "clinic-" + std::to_string(agent) + ".example";
  row.sequence = sequence;
  row.previous_sha256 = previous;
  row.sha256 = hex64(engine(), engine());
  row.started_at = 1795000000 + static_cast<std::int64_t>(sequence) * 86400;
  row.format = "json";
  row.signer_fingerprint = hex64(static_cast<std::uint64_t>(agent), 1);
  row.signer_subject = "CN=clinic-" + std::to_string(agent) + ",serialNumber=" + machine_id;
  row.compliant = false;
  row.counts.pass = 16;
  row.counts.fail = 4;
  for (int i = 0; i < 20; ++i) {
    ResultRow r;
    r.position = i;
    r.check_id = "apicrypt-v1.check-" + std::to_string(i);
    r.policy_id = "apicrypt-v1";
    r.type = i % 2 ? "file" : "sudoers";
    r.title = "Apicrypt binary " + std::to_string(i) + " is root-owned and www-data may only run what it needs";
    r.severity = "high";
    r.status = i % 5 == 0 ? "fail" : "pass";
    r.summary = "/usr/local/apicrypt/bin/tool" + std::to_string(i) +
                " is owned by root:root, mode 0755, not writable by www-data";
    r.evidence_json = "[";
    for (int e = 0; e < 5; ++e) {
      r.evidence_json += std::string(e ? "," : "") + R"({"file":"/etc/sudoers.d/apicrypt","line":)" +
                         std::to_string(e + 1) +
                         R"(,"value":"www-data ALL=(root) NOPASSWD: /usr/local/apicrypt/bin/tool)" + std::to_string(e) +
                         R"( --config /etc/apicrypt/apicrypt.conf","note":"a grant limited to the Apicrypt binaries"})";
    }
    r.evidence_json += "]";
    r.remediation = "chown root:root /usr/local/apicrypt/bin/tool" + std::to_string(i) +
                    "\nchmod 0755 /usr/local/apicrypt/bin/tool" + std::to_string(i);
    in->results.push_back(std::move(r));
  }
  // The report's bytes: its results once more with the envelope, as JSON
  // (the store keeps them verbatim; their content does not matter here).
  std::string& bytes = in->blob.bytes;
  bytes = R"({"report_id":")" + row.report_id + R"(","results":[)";
  for (const ResultRow& r : in->results) {
    bytes += R"({"check_id":")" + r.check_id + R"(","title":")" + r.title + R"(","summary":")" + r.summary +
             R"(","evidence":)" + r.evidence_json + R"(,"remediation":")" + r.remediation + "\"},\n";
  }
  bytes += "]}";
  in->blob.signature.resize(1200);
  for (char& c : in->blob.signature) c = static_cast<char>(engine());
  return in;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// (A template, so that this file also builds against a storage without
// the background checkpointer, for before/after runs.)
template <typename Sqlite>
void print_checkpoints(const Sqlite* sqlite) {
  if constexpr (requires { sqlite->background_checkpoints(); }) {
    std::printf("WAL checkpoints: %llu in the background, %llu by the writer\n",
                static_cast<unsigned long long>(sqlite->background_checkpoints()),
                static_cast<unsigned long long>(sqlite->writer_checkpoints()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, prefix = "m";
  int agents = 200, per_agent = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--url") url = argv[i + 1];
    else if (flag == "--agents") agents = std::atoi(argv[i + 1]);
    else if (flag == "--reports") per_agent = std::atoi(argv[i + 1]);
    else if (flag == "--machine-prefix") prefix = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 64;
    }
  }
  if (url.empty() || agents < 1 || per_agent < 1) {
    std::fprintf(stderr, "usage: bench_storage --url URL [--agents N] [--reports M] [--machine-prefix P]\n");
    return 64;
  }
  auto storage = open_storage(url);
  storage->migrate();

  // Every report prepared before the clock starts.
  // Seeded by the prefix: two processes (two collectors) make different reports.
  std::mt19937_64 engine(std::hash<std::string>{}(prefix));
  std::vector<std::vector<std::shared_ptr<IncomingReport>>> reports(static_cast<std::size_t>(agents));
  for (int a = 0; a < agents; ++a) {
    const std::string machine_id = prefix + hex64(static_cast<std::uint64_t>(a), 99).substr(0, 31);
    std::optional<std::string> previous;
    for (int s = 1; s <= per_agent; ++s) {
      auto report = make_report(machine_id, a, static_cast<std::uint64_t>(s), previous, engine);
      previous = report->row.sha256;
      reports[static_cast<std::size_t>(a)].push_back(std::move(report));
    }
  }

  // Two "workers" (the server's) hand each agent's next report over once
  // the previous one is acknowledged.
  std::mutex mutex;
  std::condition_variable ready_cv;
  std::deque<int> ready;
  std::vector<int> next(static_cast<std::size_t>(agents), 0);
  std::vector<double> latencies;
  std::atomic<int> stored{0}, failed{0}, anomalies{0};
  int finished_agents = 0;
  for (int a = 0; a < agents; ++a) ready.push_back(a);

  // Under callgrind (valgrind --tool=callgrind bench_storage ...): count
  // from here, the reports' preparation excluded.
  CALLGRIND_ZERO_STATS;
  const double cpu_before = cpu_seconds();
  const auto began = Clock::now();
  auto worker = [&] {
    std::unique_lock lock(mutex);
    while (true) {
      ready_cv.wait(lock, [&] { return !ready.empty() || finished_agents == agents; });
      if (ready.empty()) return;
      const int a = ready.front();
      ready.pop_front();
      const auto& report =
          reports[static_cast<std::size_t>(a)][static_cast<std::size_t>(next[static_cast<std::size_t>(a)])];
      lock.unlock();
      const auto sent = Clock::now();
      storage->ingest_async(report, judge_chain, 1795000000,
                            [&, a, sent](std::optional<IngestResult> result, std::exception_ptr error) {
                              const double latency = std::chrono::duration<double>(Clock::now() - sent).count();
                              if (error || !result) {
                                if (failed++ == 0) {
                                  try {
                                    if (error) std::rethrow_exception(error);
                                    std::fprintf(stderr, "first failure: no result, no error\n");
                                  } catch (const std::exception& e) {
                                    std::fprintf(stderr, "first failure: %s\n", e.what());
                                  }
                                }
                              } else {
                                ++stored;
                                if (!result->anomalies.empty()) ++anomalies;
                              }
                              const std::lock_guard guard(mutex);
                              latencies.push_back(latency);
                              if (++next[static_cast<std::size_t>(a)] == per_agent) {
                                if (++finished_agents == agents) ready_cv.notify_all();
                              } else {
                                ready.push_back(a);
                                ready_cv.notify_one();
                              }
                            });
      lock.lock();
    }
  };
  std::thread w1(worker), w2(worker);
  w1.join();
  w2.join();
  storage->drain();
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  const double cpu = cpu_seconds() - cpu_before;

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(latencies.size() - 1,
                                                  static_cast<std::size_t>(p * static_cast<double>(latencies.size())))];
  };
  const int n = stored.load();
  std::printf("%s: %d agents x %d reports: %d stored, %d failed, %d with anomalies in %.2f s = %.0f reports/s; "
              "latency p50 %.1f ms, p99 %.1f ms; storage process CPU %.2f s = %.3f ms per report\n",
              url.substr(0, url.find(':')).c_str(), agents, per_agent, n, failed.load(), anomalies.load(), seconds,
              n / seconds, 1000 * pct(0.5), 1000 * pct(0.99), cpu, n > 0 ? 1000 * cpu / n : 0.0);
  if (const auto* sqlite = dynamic_cast<const SqliteStorage*>(storage.get())) print_checkpoints(sqlite);
  return failed.load() == 0 && anomalies.load() == 0 ? 0 : 1;
}
