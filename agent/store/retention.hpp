// Retention of signed reports (DESIGN.md §5 "newest N kept"; issue #8 item 6).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <vector>

#include "report_files.hpp"

namespace clinic_audit::signing {

using IsAcknowledged = std::function<bool(const ReportSet&)>;

struct PruneResult {
  std::vector<std::filesystem::path> removed;    // files removed
  std::vector<std::string> kept_unacknowledged;  // stems kept although beyond N
};

// Keeps the newest `keep` report sets of `dir` (by the UTC timestamp of their
// names) and removes the older ones (reports and their .p7s) for which
// `is_acknowledged` is true; an unacknowledged set is never removed, however
// old. Signatures go before the reports they sign, then the directory is
// fsynced. Throws SigningError(73) if a file cannot be removed.
PruneResult prune_reports(const std::filesystem::path& dir, std::size_t keep, const IsAcknowledged& is_acknowledged);

// The acknowledgment marker: the spool (DESIGN §5 /var/lib/clinic-audit/spool)
// holds what the collector has not acknowledged yet, so a set is
// acknowledged when no entry of the spool (spool.hpp) belongs to the set
// "<stem>"; an unreadable spool acknowledges nothing. The submitter removes a
// report from the spool only once the collector acknowledged it (§7). The
// run must put a report into the spool BEFORE ChainState::commit and prune;
// a missing spool directory means nothing is pending. For a machine without
// a collector, pass [](const ReportSet&) { return true; }.
IsAcknowledged acknowledged_unless_spooled(const std::filesystem::path& spool_dir);

}  // namespace clinic_audit::signing
