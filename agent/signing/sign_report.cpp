#include "sign_report.hpp"

#include <system_error>

#include "atomic_file.hpp"
#include "crash_point.hpp"
#include "signing_error.hpp"

namespace clinic_audit::signing {

std::filesystem::path signature_path(const std::filesystem::path& report) {
  std::filesystem::path p7s = report;
  p7s += ".p7s";
  return p7s;
}

void write_signature(const SigningIdentity& identity, const std::filesystem::path& report, bool sync_directory) {
  const std::string bytes = read_file(report);
  const std::vector<unsigned char> der = identity.sign_detached(bytes, report.filename().string());
  write_file_atomically(signature_path(report), std::string_view(reinterpret_cast<const char*>(der.data()), der.size()),
                        0644, "signature", sync_directory);
}

void sign_report_set(const SigningIdentity& identity, const std::vector<std::filesystem::path>& reports) {
  try {
    for (const auto& report : reports) write_signature(identity, report, /*sync_directory=*/false);
    // One directory fsync makes every rename durable before the caller
    // commits the chain state.
    if (!reports.empty()) fsync_directory(reports.front().has_parent_path() ? reports.front().parent_path() : ".");
  } catch (...) {
    std::error_code ignored;
    // Signatures before the reports they sign (issue #20 item 9).
    for (const auto& report : reports) std::filesystem::remove(signature_path(report), ignored);
    for (const auto& report : reports) std::filesystem::remove(report, ignored);
    if (!reports.empty()) {
      try {
        fsync_directory(reports.front().parent_path().empty() ? "." : reports.front().parent_path());
      } catch (const SigningError&) {
        // The original error is the one to report.
      }
    }
    throw;
  }
}

}  // namespace clinic_audit::signing
