// Signing and verification time per report (issue #8 item 7; goal: signing
// adds <= 2 ms to a run). A realistic report: 60 results with evidence,
// rendered by the real JSON renderer (about 40 kB).
//   BM_SignDetached      CMS signature in memory (ECDSA P-256 / RSA 3072)
//   BM_WriteSignature    what a run adds per report file: read it, sign,
//                        write NAME.p7s with fsync + rename + fsync dir
//   BM_SignRun           sign_report_set for a run writing JSON and XML
//   BM_VerifySignature   digest, signature value and chain to the CA
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "keygen.hpp"
#include "render_json.hpp"
#include "report.hpp"
#include "sign_report.hpp"
#include "signature_check.hpp"

namespace {

using namespace clinic_audit;
using namespace clinic_audit::signing;

struct Fixture {
  std::filesystem::path dir;
  std::filesystem::path report;
  std::string bytes;
  std::filesystem::path cert[2];
  std::unique_ptr<SigningIdentity> identity[2];  // [0] ECDSA, [1] RSA

  Fixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bench-signing-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
    Report r;
    r.report_id = "6f1c2a4e-8b3d-4c5e-9f7a-1b2c3d4e5f60";
    r.agent_version = "0.1.0";
    r.host = {"cabinet-12", "0123456789abcdef0123456789abcdef", "Debian GNU/Linux 12 (bookworm)"};
    r.run = {"2026-11-22T15:04:05Z", "2026-11-22T15:04:09Z", "timer", "/", 42, std::string(64, 'a'), 4.0};
    for (int i = 0; i < 60; ++i) {
      ResultRecord result;
      result.check_id = "apicrypt-v2." + std::to_string(i);
      result.policy_id = "apicrypt-v2";
      result.type = "file";
      result.title = "Apicrypt binary is root-owned and not writable by www-data";
      result.status = i % 7 == 0 ? Status::fail : Status::pass;
      result.summary = "/opt/apicrypt/bin/apicrypt owned by root, mode 0755";
      result.evidence.push_back(
          {"/opt/apicrypt/bin/apicrypt", 0, "root:root 0755", "root:root, not group/other writable"});
      result.remediation = "chown root:root /opt/apicrypt/bin/apicrypt && chmod 0755 /opt/apicrypt/bin/apicrypt";
      r.results.push_back(result);
    }
    bytes = render_json(r);
    report = dir / "clinic-audit-cabinet-12-20261122T150405Z.json";
    std::ofstream(report, std::ios::binary) << bytes;
    for (int rsa = 0; rsa < 2; ++rsa) {
      KeygenOptions options;
      options.key_path = dir / (rsa ? "rsa.key" : "ec.key");
      options.cert_path = cert[rsa] = dir / (rsa ? "rsa.crt" : "ec.crt");
      options.algorithm = rsa ? KeygenOptions::Algorithm::rsa : KeygenOptions::Algorithm::ec;
      options.hostname = "cabinet-12";
      std::ostringstream out, err;
      if (run_keygen(options, out, err) != 0) throw std::runtime_error(err.str());
      identity[rsa] = std::make_unique<SigningIdentity>(SigningIdentity::load(options.key_path, options.cert_path));
    }
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

void BM_SignDetached(benchmark::State& state) {
  const auto& f = fixture();
  const auto& identity = *f.identity[state.range(0)];
  for (auto _ : state) benchmark::DoNotOptimize(identity.sign_detached(f.bytes, f.report.filename().string()));
  state.SetLabel(identity.algorithm() + ", " + std::to_string(f.bytes.size()) + " bytes");
}
BENCHMARK(BM_SignDetached)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_WriteSignature(benchmark::State& state) {
  const auto& f = fixture();
  const auto& identity = *f.identity[state.range(0)];
  for (auto _ : state) write_signature(identity, f.report);
  state.SetLabel(identity.algorithm() + ", with fsync");
}
BENCHMARK(BM_WriteSignature)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// What signing adds to a run writing JSON and XML: two signatures, each
// fsynced, one directory fsync.
void BM_SignRun(benchmark::State& state) {
  const auto& f = fixture();
  const auto& identity = *f.identity[state.range(0)];
  auto xml = f.report;
  xml.replace_extension(".xml");
  std::ofstream(xml, std::ios::binary) << f.bytes;
  for (auto _ : state) sign_report_set(identity, {f.report, xml});
  state.SetLabel(identity.algorithm() + ", json + xml");
}
BENCHMARK(BM_SignRun)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_VerifySignature(benchmark::State& state) {
  const auto& f = fixture();
  const auto& identity = *f.identity[state.range(0)];
  const auto der = identity.sign_detached(f.bytes, f.report.filename().string());
  const std::string_view signature(reinterpret_cast<const char*>(der.data()), der.size());
  const auto store = load_ca_store(f.cert[state.range(0)]);
  for (auto _ : state) {
    const auto findings = check_signature({f.report, f.bytes, signature, nullptr}, store.get(), ExpiryAt::signing_time,
                                          std::time(nullptr));
    if (!findings.problems.empty()) state.SkipWithError(findings.problems.front().c_str());
  }
  state.SetLabel(identity.algorithm());
}
BENCHMARK(BM_VerifySignature)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
