// Test harness: a real clinic-audit-collector process on a loopback port
// (init --create-ca, then serve), agent identities issued by its CA, signed
// reports rendered by the agent's own renderers, and stock curl as client.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "identity.hpp"
#include "temp_dir.hpp"

namespace clinic_audit::collector::test {

struct Shell {
  int exit_code = -1;
  std::string output;
};
// /bin/sh -c (tests only).
Shell sh(const std::string& command);
std::string quote(const std::string& text);
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

struct AgentIdentity {
  std::filesystem::path key, cert;
  std::string machine_id, hostname;
};

struct SignedReport {
  std::filesystem::path report, signature;
  std::string report_id;
  std::string sha256;
};

struct ReportSpec {
  std::uint64_t sequence = 1;
  std::optional<std::string> previous_sha256;
  std::string report_id;  // "" = random
  std::string started_at = "2026-11-22T15:04:05Z";
  int results = 3;                        // checks in the report (20 make ~20 KB)
  std::string format = "json";            // json | xml
  std::optional<std::string> machine_id;  // default the identity's
  std::string filler;                     // appended to every summary (hostile strings)

  ReportSpec& with_id(std::string id) {
    report_id = std::move(id);
    return *this;
  }
  ReportSpec& with_results(int count) {
    results = count;
    return *this;
  }
  ReportSpec& with_format(std::string f) {
    format = std::move(f);
    return *this;
  }
  ReportSpec& with_started_at(std::string t) {
    started_at = std::move(t);
    return *this;
  }
  ReportSpec& with_machine_id(std::string m) {
    machine_id = std::move(m);
    return *this;
  }
  ReportSpec& with_filler(std::string f) {
    filler = std::move(f);
    return *this;
  }
};

// Sequence and previous hash: the spec most tests start from.
inline ReportSpec seq(std::uint64_t sequence, std::optional<std::string> previous = std::nullopt) {
  ReportSpec spec;
  spec.sequence = sequence;
  spec.previous_sha256 = std::move(previous);
  return spec;
}

class Collector {
 public:
  // Extra XML inside <collector-config> (limits, timeouts...).
  // `pki_from`: share that collector's CA and server certificate (two
  // collectors of one region behind a load balancer) instead of creating them.
  explicit Collector(const std::string& extra_config = "", bool start = true, const Collector* pki_from = nullptr);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  void start();
  void stop();  // SIGTERM, wait
  void kill9();
  bool alive();
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }  // the serving process, -1 when stopped
  std::string url(const std::string& path) const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config() const { return dir_.path() / "collector.conf"; }
  std::filesystem::path ca_cert() const { return pki_dir_ / "ca.crt"; }
  std::filesystem::path ca_key() const { return pki_dir_ / "ca.key"; }
  std::string log() const;

  // The collector CLI with this configuration.
  Shell cli(const std::string& arguments) const;
  // A key + CSR for (hostname, machine_id), signed by this collector's CA
  // directly (not through enrolment, which explicit tests exercise).
  AgentIdentity issue(const std::string& name, const std::string& machine_id, const std::string& hostname = "");
  // A key + CSR made by the library (keygen), for enrolment tests.
  AgentIdentity make_csr(const std::string& name, const std::string& machine_id, const std::string& hostname = "");

  SignedReport make_report(const AgentIdentity& identity, const ReportSpec& spec);
  // Signs arbitrary bytes as a report (malformed content inside a valid signature).
  SignedReport sign_bytes(const AgentIdentity& identity, const std::string& bytes, const std::string& ext,
                          std::time_t signing_now = 0);
  // A certificate from this collector's CA (or `other_ca`), valid from now+from_s to now+to_s.
  AgentIdentity issue_with_validity(const std::string& name, const std::string& machine_id, long from_s, long to_s,
                                    const std::filesystem::path& ca_cert, const std::filesystem::path& ca_key);

  struct Response {
    int status = 0;
    std::string body;
    std::string headers;
  };
  // curl -F report=@ -F signature=@ with the identity's cert/key (or none).
  Response submit(const SignedReport& report, const AgentIdentity* identity);
  Response curl(const std::string& arguments);

  std::size_t stored_reports() const;
  // `verify` passes (exit 0).
  bool verify_passes(std::string* output = nullptr) const;

 private:
  TempDir dir_;
  std::string extra_;
  std::filesystem::path pki_dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int counter_ = 0;
};

std::filesystem::path collector_binary();
std::filesystem::path agent_binary();

}  // namespace clinic_audit::collector::test
