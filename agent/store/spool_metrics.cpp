// The spool's Prometheus text file, STATE_DIR/spool.prom (node_exporter's
// textfile collector format; spool.hpp, update_spool_metrics).
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "atomic_file.hpp"
#include "spool.hpp"

namespace clinic_audit::store {

namespace {

std::filesystem::path metrics_file(const std::filesystem::path& state_dir) { return state_dir / "spool.prom"; }

}  // namespace

std::uint64_t spool_not_spooled_total(const std::filesystem::path& state_dir) {
  std::ifstream in(metrics_file(state_dir));
  std::string line;
  constexpr std::string_view kName = "clinic_audit_spool_not_spooled_total ";
  while (std::getline(in, line)) {
    if (line.starts_with(kName)) {
      const std::string value = line.substr(kName.size());
      if (!value.empty() && value.size() < 20 && value.find_first_not_of("0123456789") == std::string::npos) {
        return std::stoull(value);
      }
    }
  }
  return 0;
}

void update_spool_metrics(const std::filesystem::path& state_dir, const Spool& spool, std::uint64_t newly_not_spooled) {
  const SpoolUsage usage = spool.usage();
  std::size_t rejected = 0;
  std::error_code error;
  if (std::filesystem::is_directory(spool.rejected_dir(), error)) {
    for (const auto& file : std::filesystem::directory_iterator(spool.rejected_dir(), error)) {
      if (parse_spool_name(file.path().filename().string())) ++rejected;
    }
  }
  std::ostringstream out;
  out << "# HELP clinic_audit_spool_reports Signed reports waiting for the collector.\n"
      << "# TYPE clinic_audit_spool_reports gauge\n"
      << "clinic_audit_spool_reports " << usage.reports << "\n"
      << "# HELP clinic_audit_spool_bytes Bytes of the spooled reports and signatures.\n"
      << "# TYPE clinic_audit_spool_bytes gauge\n"
      << "clinic_audit_spool_bytes " << usage.bytes << "\n"
      << "# HELP clinic_audit_spool_rejected Spooled reports set aside in spool/rejected.\n"
      << "# TYPE clinic_audit_spool_rejected gauge\n"
      << "clinic_audit_spool_rejected " << rejected << "\n"
      << "# HELP clinic_audit_spool_waiting Signed reports kept locally that wait for room in the spool.\n"
      << "# TYPE clinic_audit_spool_waiting gauge\n"
      << "clinic_audit_spool_waiting " << spool.waiting().size() << "\n"
      << "# HELP clinic_audit_spool_not_spooled_total Reports that found the spool full (they wait for room).\n"
      << "# TYPE clinic_audit_spool_not_spooled_total counter\n"
      << "clinic_audit_spool_not_spooled_total " << spool_not_spooled_total(state_dir) + newly_not_spooled << "\n";
  signing::write_file_atomically(metrics_file(state_dir), out.str(), 0644);
}

}  // namespace clinic_audit::store
