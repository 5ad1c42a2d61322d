// Over 400 lines: a single program (load generator) whose parts (certificates,
// report signing, the client state machine, the statistics) only serve it.
// Load generator for POST /api/v1/reports (issue #11 "Benchmarks"): N
// concurrent agents, each with its own key and certificate from the
// collector's CA, each on one keep-alive mTLS connection, sending real
// signed reports (20 checks, about 20 KB as the issue asks: --evidence 2)
// of its own chain in order. Prints reports/s and latency percentiles. A
// client whose connection breaks (the collector killed) reconnects and
// resends what was not acknowledged.
//
//   bench_ingest --ca-dir DIR --port P [--port P2] --clients N --reports M [--acks FILE] [--duration-limit S]
//                [--prepared FILE] [--rate R] [--evidence E]
//
// --evidence E: evidence lines per check (default 2: a 20-check report of
// 23 KB, the "about 20 KB" issue #11 fixes; 5 gives a 39 KB one, near the
// 37 KB this project's VM, failing most checks, sends with the shipped
// policies).
//
// --rate R: open loop. The agents together send R reports a second on a
// fixed schedule (agent i's k-th report at (k * N + i) / R seconds), as a
// fleet does, instead of each sending its next report the moment the last
// one is answered (closed loop, the default: the collector's maximum rate,
// where 200 agents each waiting for an answer make the mean latency
// 200 / throughput by Little's law, whatever the collector does). Latency
// is then counted from the scheduled send time, not the actual one, so a
// collector that falls behind is charged for the reports queued behind a
// slow answer (the "coordinated omission" wrk2 corrects the same way).
// The agents connect before the clock starts: handshakes are not reports.
//
// --acks FILE: one line "sha256 status" per acknowledged report (kill -9 test).
// --prepared FILE: reuse the agents and signed reports saved there by an
// earlier run with the same --ca-dir, --clients and --reports (else prepare
// and save them): the kill -9 rounds send the same load each round without
// paying keygen and signing again.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "identity.hpp"
#include "keygen.hpp"
#include "machine_reference.hpp"
#include "pki.hpp"
#include "render_json.hpp"
#include "report.hpp"
#include "report_files.hpp"

namespace {

using namespace clinic_audit;
using Clock = std::chrono::steady_clock;

constexpr int kChecks = 20;  // results per report, as the issue's reports have

struct Options {
  std::string ca_dir;
  std::vector<int> ports;
  int clients = 200;
  int reports = 20;
  std::string acks;
  std::string prepared;
  double duration_limit = 600;
  double rate = 0;   // reports/s over all agents; 0 = closed loop
  int evidence = 2;  // evidence lines per check
};

struct Prepared {
  std::string key_pem_path, cert_path;
  std::vector<std::string> requests;  // full HTTP requests
  std::vector<std::string> sha256;
  std::size_t first_report_bytes = 0;  // the signed JSON alone (not saved by --prepared)
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string uuid(std::mt19937_64& engine) {
  const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += hex[engine() % 16];
  }
  out[14] = '4';
  out[19] = '8';
  return out;
}

std::string make_report(const std::string& host, const std::string& machine_id, std::uint64_t sequence,
                        const std::optional<std::string>& previous, int evidence, std::mt19937_64& engine) {
  Report report;
  report.report_id = uuid(engine);
  report.agent_version = "0.1.0";
  report.host = {host, machine_id, "Debian GNU/Linux 12 (bookworm)"};
  report.run.started_at = "2026-11-22T15:04:05Z";
  report.run.finished_at = "2026-11-22T15:04:06Z";
  report.run.trigger = "timer";
  report.run.root = "/";
  report.run.sequence = sequence;
  report.run.previous_sha256 = previous;
  report.policies.push_back({"apicrypt-v1", "1", std::string(64, 'a'), "Apicrypt v1"});
  for (int i = 0; i < kChecks; ++i) {
    ResultRecord result;
    result.check_id = "apicrypt-v1.check-" + std::to_string(i);
    result.policy_id = "apicrypt-v1";
    result.type = i % 2 ? "file" : "sudoers";
    result.title = "Apicrypt binary " + std::to_string(i) + " is root-owned and www-data may only run what it needs";
    result.severity = Severity::high;
    result.status = i % 5 == 0 ? Status::fail : Status::pass;
    result.summary = "/usr/local/apicrypt/bin/tool" + std::to_string(i) +
                     " is owned by root:root, mode 0755, not writable by www-data";
    for (int e = 0; e < evidence; ++e) {
      result.evidence.push_back({"/etc/sudoers.d/apicrypt", e + 1,
                                 "www-data ALL=(root) NOPASSWD: /usr/local/apicrypt/bin/tool" + std::to_string(e) +
                                     " --config /etc/apicrypt/apicrypt.conf",
                                 "a grant limited to the Apicrypt binaries"});
    }
    result.remediation = "chown root:root /usr/local/apicrypt/bin/tool" + std::to_string(i) +
                         "\nchmod 0755 /usr/local/apicrypt/bin/tool" + std::to_string(i);
    report.results.push_back(std::move(result));
  }
  return render_json(report);
}

std::string http_request(const std::string& report, const std::string& signature) {
  const std::string boundary = "----clinicauditbench7MA4YWxkTrZu0gW";
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"report\"; filename=\"r.json\"\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n" +
                     report + "\r\n--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"signature\"; filename=\"r.json.p7s\"\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n" +
                     signature + "\r\n--" + boundary + "--\r\n";
  return "POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=" + boundary +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

Prepared prepare(const Options& options, int index, const collector::CertificateAuthority& ca,
                 const std::string& work) {
  std::mt19937_64 engine(static_cast<unsigned long>(index) * 7919 + 1);
  char machine[33];
  std::snprintf(machine, sizeof machine, "%032x", index + 1);
  const std::string host = "bench-" + std::to_string(index);
  signing::KeygenOptions keygen;
  keygen.key_path = work + "/" + host + ".key";
  keygen.cert_path = work + "/" + host + ".crt";
  keygen.csr_path = work + "/" + host + ".csr";
  keygen.hostname = host;
  keygen.machine_id = machine;
  keygen.force = true;
  std::ostringstream out, err;
  if (signing::run_keygen(keygen, out, err) != 0) throw std::runtime_error("keygen: " + err.str());
  collector::CsrSubject subject;
  std::ofstream(keygen.cert_path) << ca.sign_csr(read_file(keygen.csr_path->string()), 30, subject);
  const auto identity = signing::SigningIdentity::load(keygen.key_path, keygen.cert_path);
  Prepared prepared{keygen.key_path, keygen.cert_path, {}, {}, 0};
  std::optional<std::string> previous;
  for (int r = 1; r <= options.reports; ++r) {
    const std::string report =
        make_report(host, machine, static_cast<std::uint64_t>(r), previous, options.evidence, engine);
    if (r == 1) prepared.first_report_bytes = report.size();
    const auto der = identity.sign_detached(report, "r.json");
    prepared.requests.push_back(http_request(report, std::string(der.begin(), der.end())));
    prepared.sha256.push_back(signing::sha256_hex(report));
    previous = prepared.sha256.back();
  }
  return prepared;
}

void put_string(std::ostream& out, const std::string& text) {
  const std::uint64_t size = text.size();
  out.write(reinterpret_cast<const char*>(&size), sizeof size);
  out.write(text.data(), static_cast<std::streamsize>(size));
}

bool get_string(std::istream& in, std::string& text) {
  std::uint64_t size = 0;
  if (!in.read(reinterpret_cast<char*>(&size), sizeof size) || size > (1U << 30)) return false;
  text.resize(size);
  return static_cast<bool>(in.read(text.data(), static_cast<std::streamsize>(size)));
}

void save_prepared(const std::string& path, const std::vector<Prepared>& agents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& agent : agents) {
    put_string(out, agent.key_pem_path);
    put_string(out, agent.cert_path);
    put_string(out, std::to_string(agent.requests.size()));
    for (std::size_t i = 0; i < agent.requests.size(); ++i) {
      put_string(out, agent.requests[i]);
      put_string(out, agent.sha256[i]);
    }
  }
}

// The saved agents when they match the options, else nullopt.
std::optional<std::vector<Prepared>> load_prepared(const std::string& path, const Options& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<Prepared> agents;
  Prepared agent;
  std::string count;
  while (get_string(in, agent.key_pem_path) && get_string(in, agent.cert_path) && get_string(in, count)) {
    agent.requests.assign(std::stoul(count), {});
    agent.sha256.assign(agent.requests.size(), {});
    for (std::size_t i = 0; i < agent.requests.size(); ++i) {
      if (!get_string(in, agent.requests[i]) || !get_string(in, agent.sha256[i])) return std::nullopt;
    }
    agents.push_back(agent);
  }
  if (agents.size() != static_cast<std::size_t>(options.clients)) return std::nullopt;
  for (const auto& a : agents) {
    if (a.requests.size() != static_cast<std::size_t>(options.reports) || !std::filesystem::exists(a.cert_path)) {
      return std::nullopt;
    }
  }
  return agents;
}

struct Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  ~Connection() { close(); }
  void close() {
    if (ssl != nullptr) SSL_free(ssl);
    if (fd >= 0) ::close(fd);
    ssl = nullptr;
    fd = -1;
  }
};

bool connect(Connection& c, SSL_CTX* ctx, int port) {
  c.close();
  c.fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return false;
  const int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval timeout{30, 0};
  setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  c.ssl = SSL_new(ctx);
  SSL_set_fd(c.ssl, c.fd);
  SSL_set_tlsext_host_name(c.ssl, "localhost");
  return SSL_connect(c.ssl) == 1;
}

// Sends one request, reads one response; the status, or 0 on a broken connection.
int exchange(Connection& c, const std::string& request) {
  std::size_t sent = 0;
  while (sent < request.size()) {
    const int n = SSL_write(c.ssl, request.data() + sent, static_cast<int>(request.size() - sent));
    if (n <= 0) return 0;
    sent += static_cast<std::size_t>(n);
  }
  std::string in;
  char buffer[8192];
  std::size_t header_end = std::string::npos;
  std::size_t length = 0;
  while (true) {
    const int n = SSL_read(c.ssl, buffer, sizeof buffer);
    if (n <= 0) return 0;
    in.append(buffer, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      const auto cl = in.find("Content-Length: ");
      length = cl != std::string::npos && cl < header_end ? std::stoul(in.substr(cl + 16)) : 0;
    }
    if (in.size() >= header_end + 4 + length) break;
  }
  if (in.find("Connection: close") != std::string::npos) c.close();
  return std::stoi(in.substr(9, 3));
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--ca-dir") options.ca_dir = value;
    else if (flag == "--port") options.ports.push_back(std::stoi(value));
    else if (flag == "--clients") options.clients = std::stoi(value);
    else if (flag == "--reports") options.reports = std::stoi(value);
    else if (flag == "--acks") options.acks = value;
    else if (flag == "--prepared") options.prepared = value;
    else if (flag == "--duration-limit") options.duration_limit = std::stod(value);
    else if (flag == "--rate") options.rate = std::stod(value);
    else if (flag == "--evidence") options.evidence = std::stoi(value);
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 64;
    }
  }
  if (options.evidence < 0 || options.evidence > 1000) {
    std::cerr << "--evidence: 0 to 1000 lines per check\n";
    return 64;
  }
  if (options.ca_dir.empty() || options.ports.empty()) {
    std::cerr << "usage: bench_ingest --ca-dir DIR --port P [--port P2] [--clients N] [--reports M] [--acks FILE]\n";
    return 64;
  }
  const std::string work = options.ca_dir + "/bench-agents";
  std::filesystem::create_directories(work);
  const auto prepare_start = Clock::now();
  std::vector<Prepared> agents;
  if (auto saved = options.prepared.empty() ? std::nullopt : load_prepared(options.prepared, options)) {
    agents = std::move(*saved);
  } else {
    const collector::CertificateAuthority ca(options.ca_dir + "/ca.crt", options.ca_dir + "/ca.key");
    agents.resize(static_cast<std::size_t>(options.clients));
    std::vector<std::thread> threads;
    const unsigned workers = std::max(1U, std::thread::hardware_concurrency());
    for (unsigned w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (int i = static_cast<int>(w); i < options.clients; i += static_cast<int>(workers)) {
          agents[static_cast<std::size_t>(i)] = prepare(options, i, ca, work);
        }
      });
    }
    for (auto& t : threads) t.join();
    if (!options.prepared.empty()) save_prepared(options.prepared, agents);
  }
  std::size_t bytes = 0, report_bytes = 0;
  for (const auto& a : agents) {
    bytes += a.requests.front().size();
    report_bytes += a.first_report_bytes;
  }
  std::cerr << "prepared " << options.clients << " agents x " << options.reports << " signed reports in "
            << std::chrono::duration<double>(Clock::now() - prepare_start).count() << " s\n";
  // Reports loaded from --prepared have no separate size: only the request's.
  if (report_bytes > 0) {
    std::cout << "reports: " << kChecks << " checks, " << options.evidence << " evidence lines each, "
              << report_bytes / agents.size() << " bytes of JSON (issue #11: about 20 KB); ";
  } else {
    std::cout << "reports: ";
  }
  std::cout << bytes / agents.size() << " bytes per request with its signature and multipart framing\n";

  std::mutex mutex;
  std::vector<double> latencies;
  std::ofstream acks;
  if (!options.acks.empty()) acks.open(options.acks, std::ios::app);
  std::atomic<long> statuses[6] = {};
  std::atomic<long> reconnects{0};
  // The load generator's own CPU while it sends: it runs on the same cores
  // as the collector, so what it takes is not the collector's.
  auto cpu_seconds = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  };
  // Each agent's TLS context (its key, certificate and the CA) is built
  // before the clock starts: OpenSSL 3's SSL_CTX_new and the PEM reads took
  // most of the generator's CPU of a short run, work an agent does once at
  // start-up, not per report. The handshakes stay inside the measure.
  std::vector<std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>> contexts;
  for (const Prepared& agent : agents) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_use_certificate_file(ctx, agent.cert_path.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx, agent.key_pem_path.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(ctx, (options.ca_dir + "/ca.crt").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    contexts.emplace_back(ctx, &SSL_CTX_free);
  }
  // Open loop: every agent connects (TLS handshake, client certificate
  // verified) before the clock starts, as a fleet's agents are not all
  // connecting in the same 200 ms; the schedule then measures reports on
  // established keep-alive connections. The closed loop keeps its
  // handshakes inside the measure.
  std::vector<Connection> connections(static_cast<std::size_t>(options.clients));
  if (options.rate > 0) {
    for (int i = 0; i < options.clients; ++i) {
      const auto index = static_cast<std::size_t>(i);
      if (!connect(connections[index], contexts[index].get(), options.ports[index % options.ports.size()])) {
        connections[index].close();
      }
    }
  }
  const double cpu_before = cpu_seconds();
  const auto start = Clock::now();
  std::vector<std::thread> clients;
  for (int i = 0; i < options.clients; ++i) {
    clients.emplace_back([&, i] {
      const Prepared& agent = agents[static_cast<std::size_t>(i)];
      SSL_CTX* ctx = contexts[static_cast<std::size_t>(i)].get();
      const int port = options.ports[static_cast<std::size_t>(i) % options.ports.size()];
      Connection& connection = connections[static_cast<std::size_t>(i)];
      std::vector<double> mine;
      std::size_t next = 0;
      while (next < agent.requests.size()) {
        if (std::chrono::duration<double>(Clock::now() - start).count() > options.duration_limit) break;
        if (connection.ssl == nullptr && !connect(connection, ctx, port)) {
          ++reconnects;
          connection.close();
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        // Open loop: wait for this report's slot; latency counts from it.
        auto sent = Clock::now();
        if (options.rate > 0) {
          const double slot_seconds = (static_cast<double>(next) * options.clients + i) / options.rate;
          const auto slot =
              start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(slot_seconds));
          if (slot > sent) std::this_thread::sleep_until(slot);
          sent = slot;
        }
        const int status = exchange(connection, agent.requests[next]);
        if (status == 0) {  // broken: reconnect and resend (idempotent)
          connection.close();
          ++reconnects;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        const int slot = status == 201 ? 0 : status == 200 ? 1 : status == 503 ? 2 : status < 500 ? 3 : 4;
        ++statuses[slot];
        if (status == 503) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        if ((status == 200 || status == 201) && acks.is_open()) {
          const std::lock_guard lock(mutex);
          acks << agent.sha256[next] << " " << status << "\n";
          acks.flush();
        }
        ++next;
      }
      const std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : clients) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double generator_cpu = cpu_seconds() - cpu_before;
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(latencies.size() - 1,
                                                  static_cast<std::size_t>(p * static_cast<double>(latencies.size())))];
  };
  const long ok = statuses[0] + statuses[1];
  std::printf(
      "clients %d, collectors %zu: %ld acknowledged (201: %ld, 200: %ld), 503: %ld, 4xx: %ld, other: %ld, reconnects %ld\n",
      options.clients, options.ports.size(), ok, statuses[0].load(), statuses[1].load(), statuses[2].load(),
      statuses[3].load(), statuses[4].load(), reconnects.load());
  std::printf(
      "%s: %.0f reports/s over %.1f s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%s (goal: >= 2000/s, p99 < 100 ms)\n",
      options.rate > 0 ? "open loop" : "closed loop", static_cast<double>(ok) / seconds, seconds, percentile(0.5),
      percentile(0.99), latencies.empty() ? 0.0 : latencies.back(),
      options.rate > 0 ? (" at " + std::to_string(static_cast<long>(options.rate)) +
                          "/s offered, counted from each report's scheduled time")
                             .c_str()
                       : "");
  std::printf("load generator CPU while sending: %.2f s (%.2f ms per acknowledged report)\n", generator_cpu,
              ok > 0 ? 1000 * generator_cpu / static_cast<double>(ok) : 0.0);
  // After the run, not before: the figure describes the machine as the
  // run found it (a neighbour's load on a shared VM changes both).
  const double verifies = collector::bench::ecdsa_p256_verifies_per_second(1.0);
  std::printf("this machine: %.0f ECDSA P-256 verifications/s on one core (issue #11's reference machine: %.0f/s, "
              "so this one runs at %.0f %% of its speed)\n",
              verifies, collector::bench::kIssueReferenceVerifiesPerSecond,
              100 * verifies / collector::bench::kIssueReferenceVerifiesPerSecond);
  return statuses[3] + statuses[4] == 0 ? 0 : 1;
}
