#include "retention.hpp"

#include <set>
#include <system_error>

#include "atomic_file.hpp"
#include "crash_point.hpp"
#include "signing_error.hpp"
#include "spool.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

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
    // Signatures before the reports they sign (issue #20 item 9): an
    // interruption never leaves a signature without its report; a set left
    // part-signed is removed by the next run's recovery (chain_state.cpp),
    // an unsigned one is still the oldest and pruned next time.
    for (const auto* files : {&set.signatures, &set.reports}) {
      for (const auto& file : *files) {
        std::error_code error;
        if (!std::filesystem::remove(file, error) && error) {
          throw SigningError(kExitCannotWrite,
                             tr("cannot remove old report {0}: {1}", file.string(), i18n::error_text(error)));
        }
        result.removed.push_back(file);
        crash_point("prune:removed");
      }
    }
  }
  if (!result.removed.empty()) fsync_directory(dir);
  return result;
}

IsAcknowledged acknowledged_unless_spooled(const std::filesystem::path& spool_dir) {
  return [spool = store::Spool(spool_dir)](const ReportSet& set) { return !spool.contains_stem(set.stem); };
}

}  // namespace clinic_audit::signing
