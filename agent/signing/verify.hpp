// `clinic-audit verify REPORT... | DIR [--ca FILE]` (DESIGN.md §4, §6;
// issue #8 item 5).
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <ostream>
#include <vector>

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

}  // namespace clinic_audit::signing
