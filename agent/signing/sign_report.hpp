// Signing report files on disk (DESIGN.md §6 "Signature", issue #8 item 2).
#pragma once

#include <filesystem>
#include <vector>

#include "identity.hpp"

namespace clinic_audit::signing {

// The signature file of a report: NAME -> NAME.p7s.
std::filesystem::path signature_path(const std::filesystem::path& report);

// Signs the exact bytes of `report` and writes REPORT.p7s (DER, detached
// CMS, mode 0644) atomically: temp + fsync + rename + fsync dir. Crash points
// "signature:temp-written" and "signature:renamed". Throws SigningError.
void write_signature(const SigningIdentity& identity, const std::filesystem::path& report, bool sync_directory = true);

// Signs every report of one run, in order, then fsyncs the directory once
// (each signature file itself is fsynced before its rename). If any signature cannot be
// written, removes the reports and the signatures already written (a signed
// report was expected: none is left unsigned, issue #8 item 3) and rethrows.
void sign_report_set(const SigningIdentity& identity, const std::vector<std::filesystem::path>& reports);

}  // namespace clinic_audit::signing
