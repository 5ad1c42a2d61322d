#include "store_verify.hpp"

#include <ctime>

#include "chain_check.hpp"
#include "report_content.hpp"
#include "report_rows.hpp"
#include "same_run.hpp"
#include "verify.hpp"

namespace clinic_audit::collector {

int verify_store(Storage& storage, X509_STORE* ca_store, const signing::SchemaChecker& schemas, std::ostream& out) {
  std::size_t problems = 0, reports = 0;
  std::vector<signing::ChainEntry> entries;
  const std::time_t now = std::time(nullptr);
  storage.for_each_report([&](const ReportRow& row, const ReportBlob& blob) {
    ++reports;
    const std::string name =
        row.hostname + " sequence " + std::to_string(row.sequence) + " (report " + row.report_id + ")";
    // ExpiryAt::signing_time: an archived report stays verifiable after its
    // certificate expired; one expired when signed is still refused.
    signing::VerifiedReport verified = signing::verify_report({blob.bytes, blob.signature, "report", false}, ca_store,
                                                              schemas, signing::ExpiryAt::signing_time, now, true);
    std::vector<std::string> found = verified.problems;
    if (verified.sha256 != row.sha256)
      found.push_back("stored bytes changed: SHA-256 " + verified.sha256 + ", recorded " + row.sha256);
    if (verified.content) {
      auto& content = *verified.content;
      if (content.machine_id != row.machine_id || content.sequence != row.sequence ||
          content.report_id != row.report_id || content.previous_sha256 != row.previous_sha256) {
        found.push_back(
            "stored columns (machine_id, sequence, report_id, previous_sha256) differ from the report's bytes");
      }
      // What export and the dashboard read instead of the bytes: the host
      // name, start, compliance, counts and each result row, derived again.
      IncomingReport derived;
      derived.row.started_at = signing::parse_rfc3339(content.started_at).value_or(-1);
      derive_rows(std::move(content), derived.row, derived.results);
      if (!same_run_content(row, storage.results(row.id), derived)) {
        found.push_back(
            "stored host name, start, compliance, counts or results differ from the report's bytes (export and the "
            "dashboard read them)");
      }
    }
    if (verified.signature.signer_fingerprint != row.signer_fingerprint && verified.signature.signer_certificate) {
      found.push_back("stored signer fingerprint differs from the signature's certificate");
    }
    for (const auto& problem : found) out << "FAIL " << name << ": " << problem << "\n";
    problems += found.size();
    if (found.empty()) out << "ok   " << name << "\n";
    signing::ChainEntry entry;
    entry.hostname = row.machine_id;  // one chain per machine
    entry.signer_identity = verified.signature.signer_machine_id.empty() ? verified.signature.signer_fingerprint
                                                                         : verified.signature.signer_machine_id;
    entry.name = "report " + row.report_id;
    entry.sequence = row.sequence;
    entry.previous_sha256 = row.previous_sha256;
    entry.report_id = row.report_id;
    entry.file_sha256 = {row.sha256};
    entries.push_back(std::move(entry));
    return true;
  });
  // Each host's latest report, which the fleet pages start from, is stored.
  for (const HostRow& host : storage.hosts()) {
    if (host.latest_report && !storage.report(*host.latest_report)) {
      out << "FAIL host " << host.hostname << " (" << host.machine_id << "): its latest report (row "
          << *host.latest_report << ") is not in the store\n";
      ++problems;
    }
  }
  const signing::ChainFindings chain = signing::check_chain(std::move(entries));
  for (const auto& problem : chain.problems) out << "FAIL chain: " << problem << "\n";
  for (const auto& note : chain.notes) out << "note chain: " << note << "\n";
  problems += chain.problems.size();
  if (problems == 0) {
    out << "verified " << reports << " stored report(s): signatures, certificate chains, schemas and chains hold\n";
    return 0;
  }
  out << problems << " problem(s) in " << reports << " stored report(s)\n";
  return 1;
}

}  // namespace clinic_audit::collector
