// `clinic-audit verify REPORT... | DIR [--ca FILE]` (DESIGN.md §4, §6;
// issue #8 item 5).
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <ostream>
#include <vector>

#include "report_content.hpp"
#include "schema_check.hpp"
#include "signature_check.hpp"

namespace clinic_audit::signing {

struct VerifyOptions {
  // Report files (NAME or NAME.p7s) and/or directories (every report file in
  // them, not recursive). The chain is checked across all of them.
  std::vector<std::filesystem::path> inputs;
  // Trust anchors (PEM): the regional CA, or the agent's self-signed
  // certificate. Required: without it nothing proves where a report came from.
  std::optional<std::filesystem::path> ca_file;
  // Schemas; a format without one is not schema-checked (said in a note).
  std::optional<std::filesystem::path> xsd;          // agent/schemas/report.xsd
  std::optional<std::filesystem::path> json_schema;  // agent/schemas/report.schema.json
  ExpiryAt expiry_at = ExpiryAt::signing_time;
  std::time_t now = 0;  // 0: the current time
};

// Checks every report: its signature (bytes unchanged, signature of this
// report and not another, signer certificate chains to the CA, certificate
// valid, see ExpiryAt), its schema (JSON and XML), and the sequence and hash
// chain across the set. Prints one line per report ("ok" or each problem),
// notes, and a summary. Returns 0 only when everything holds; 1 when a
// problem was found; 64 no CA given, an input missing or unreadable, or no
// report found;
// 65 the CA or a schema cannot be read.
int run_verify(const VerifyOptions& options, std::ostream& out);

// One report held in memory (the collector receives bytes, not files).
struct ReportBytes {
  std::string_view bytes;
  std::string_view signature_der;  // detached CMS, DER
  // Name for messages; with `check_name`, also compared with the name signed
  // in content-hints.
  std::string name = "report";
  bool check_name = false;
  // The certificate the caller already holds and verified (the collector:
  // the TLS client certificate); changes no finding (cms_known_signer.hpp).
  const KnownSigner* known_signer = nullptr;
};

// What verify_report found. `problems` lists everything that fails (the
// signature's, the schema's, the content's, the identity binding's), each
// also kept in its own list so that a server can choose a status code.
struct VerifiedReport {
  std::string sha256;  // of the exact bytes
  SignatureFindings signature;
  std::optional<ReportFormat> format;
  std::vector<std::string> format_problems;  // neither JSON nor XML, or not parsable
  std::vector<std::string> schema_problems;
  std::optional<ReportContent> content;  // set when the report could be read
  // #20.5: the report's host.machine_id must be the signer certificate's
  // subject serialNumber (DESIGN §7), or the report is another host's.
  std::vector<std::string> identity_problems;
  std::vector<std::string> problems;
  std::vector<std::string> notes;
  bool ok() const { return problems.empty(); }
};

// Signature (digest over the exact bytes, signature value, ESS binding,
// chain to `store`, validity per `expiry_at`), schema, content, sequence
// range and the machine-id binding of one report. The chain across reports
// is the caller's: judge_next() (chain_check.hpp) with the history it holds.
// `require_machine_id`: a certificate without a subject serialNumber is a
// problem (the collector), else a note (`clinic-audit verify` of
// self-signed reports of machines without /etc/machine-id).
VerifiedReport verify_report(const ReportBytes& report, X509_STORE* store, const SchemaChecker& schemas,
                             ExpiryAt expiry_at, std::time_t now, bool require_machine_id);

}  // namespace clinic_audit::signing
