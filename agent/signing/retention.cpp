#include "retention.hpp"

#include <set>
#include <system_error>

#include "atomic_file.hpp"
#include "signing_error.hpp"

namespace clinic_audit::signing {

PruneResult prune_reports(const std::filesystem::path& dir, std::size_t keep, const IsAcknowledged& is_acknowledged) {
  PruneResult result;
  const std::vector<ReportSet> sets = list_report_sets(dir);  // oldest first
  if (sets.size() <= keep) return result;
  const std::size_t candidates = sets.size() - keep;
  for (std::size_t i = 0; i < candidates; ++i) {
    const ReportSet& set = sets[i];
    if (!is_acknowledged(set)) {
      result.kept_unacknowledged.push_back(set.stem);
      continue;
    }
    // Reports first: an interruption leaves a signature without its report,
    // which prunes next time, rather than an unsigned report.
    for (const auto* files : {&set.reports, &set.signatures}) {
      for (const auto& file : *files) {
        std::error_code error;
        if (!std::filesystem::remove(file, error) && error) {
          throw SigningError(kExitCannotWrite, "cannot remove old report " + file.string() + ": " + error.message());
        }
        result.removed.push_back(file);
      }
    }
  }
  if (!result.removed.empty()) fsync_directory(dir);
  return result;
}

IsAcknowledged acknowledged_unless_spooled(const std::filesystem::path& spool_dir) {
  return [spool_dir](const ReportSet& set) {
    std::error_code error;
    if (!std::filesystem::is_directory(spool_dir, error)) return true;
    const std::string prefix = set.stem + ".";
    for (const auto& entry : std::filesystem::directory_iterator(spool_dir, error)) {
      if (entry.path().filename().string().starts_with(prefix)) return false;
    }
    // An unreadable spool proves nothing: keep the report.
    return !error;
  };
}

}  // namespace clinic_audit::signing
