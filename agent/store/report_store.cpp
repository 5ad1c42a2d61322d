#include "report_store.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <system_error>
#include <thread>

#include "i18n.hpp"
#include "atomic_file.hpp"
#include "crash_point.hpp"
#include "report_files.hpp"
#include "retention.hpp"
#include "signing_error.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::store {
namespace {

using signing::kExitCannotWrite;
using signing::SigningError;

std::filesystem::path signature_of(const std::filesystem::path& report) {
  std::filesystem::path p7s = report;
  p7s += ".p7s";
  return p7s;
}

bool name_taken(const std::filesystem::path& dir, const std::string& stem) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(stem + ".", 0) == 0) return true;
  }
  return false;
}

// Spools a set (the chain carrier and its signature) or says why not. The
// reports waiting for room go first; while any still waits, this one waits
// behind it (spool.hpp: order is kept).
CommitResult::Spooled spool_set(const StoreOptions& options, std::uint64_t sequence,
                                const std::optional<std::filesystem::path>& carrier) {
  if (!carrier) return CommitResult::Spooled::no_chain_carrier;
  Spool spool(spool_directory(options.state_dir));
  const DrainResult drained = spool.spool_waiting(options.spool_limits);
  log_drain(spool, drained);
  auto added = Spool::AddResult::full;
  if (drained.still_waiting == 0) added = spool.add(sequence, *carrier, options.spool_limits);
  std::uint64_t not_spooled = 0;
  if (added == Spool::AddResult::full) {
    spool.mark_waiting(sequence, *carrier);
    not_spooled = 1;
    const auto usage = spool.usage();
    spdlog::error(
        "{}",
        tr("SPOOL FULL: {0} is kept in the reports directory and NOT spooled yet for the collector ({1} reports, "
           "{2} bytes in {3}; limits {4} reports, {5} bytes; {6} reports wait in {7}). The oldest unacknowledged "
           "reports stay spooled; the waiting ones are spooled, in order, when the collector has acknowledged older "
           "ones: run `clinic-audit submit` or raise <spool max-reports/max-bytes> in agent.conf",
           carrier->filename().string(), usage.reports, usage.bytes, spool.dir().string(),
           options.spool_limits.max_reports, options.spool_limits.max_bytes, spool.waiting().size(),
           spool.waiting_dir().string()));
  }
  try {
    update_spool_metrics(options.state_dir, spool, not_spooled);
  } catch (const SigningError& e) {
    spdlog::warn("{}", tr("could not update the spool metrics: {0}", e.what()));
  }
  return added == Spool::AddResult::full ? CommitResult::Spooled::full : CommitResult::Spooled::yes;
}

}  // namespace

void log_drain(const Spool& spool, const DrainResult& drained) {
  if (drained.spooled > 0) {
    spdlog::info("{}", tr("spooled {0} reports that waited for room in {1}", drained.spooled, spool.dir().string()));
  }
  for (const auto& gone : drained.missing) {
    spdlog::error("{}", tr("{0} waited for room in the spool but is no longer in the reports directory (removed by "
                           "hand?): the collector will not get it and will report a gap in the chain",
                           gone.string()));
  }
}

std::filesystem::path spool_directory(const std::filesystem::path& state_dir) { return state_dir / "spool"; }

std::filesystem::path collector_record_file(const std::filesystem::path& state_dir) { return state_dir / "collector"; }

std::optional<std::string> read_collector_record(const std::filesystem::path& state_dir) {
  const auto file = collector_record_file(state_dir);
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  if (std::filesystem::file_size(file, error) > 4096) {
    throw SigningError(signing::kExitRefused, file.string() + " is larger than 4096 bytes: not a collector URL");
  }
  std::string url = signing::read_file(file);
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r' || url.back() == ' ')) url.pop_back();
  if (url.empty()) return std::nullopt;
  return url;
}

void write_collector_record(const std::filesystem::path& state_dir, const std::string& url) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  signing::write_file_atomically(collector_record_file(state_dir), url + "\n", 0644);
}

PendingSet PendingSet::begin(const StoreOptions& options) {
  std::vector<std::filesystem::path> recovered;
  if (options.spool) {
    Spool spool(spool_directory(options.state_dir));
    recovered = spool.recover();
  }
  BeginOptions begin;
  begin.signing = options.signing;
  if (options.spool) {
    // A run killed after its signatures and before its commit: its set is
    // complete; spool it before the chain takes it as the previous report.
    begin.on_roll_forward = [&options](const signing::ReportSet& set, std::uint64_t sequence) {
      if (!set.fully_signed() || set.signatures.empty()) return;
      spool_set(options, sequence, set.chain_carrier());
    };
  }
  ChainState chain = ChainState::begin(options.state_dir, options.reports_dir, begin);
  PendingSet set(options, std::move(chain));
  set.recovered_ = std::move(recovered);
  set.recovered_.insert(set.recovered_.end(), set.chain_.removed_leftovers().begin(),
                        set.chain_.removed_leftovers().end());
  return set;
}

const std::vector<std::filesystem::path>& PendingSet::write(const std::string& hostname,
                                                            const std::vector<RenderedReport>& reports,
                                                            const std::string& timestamp) {
  const auto& dir = options_.reports_dir;
  // DESIGN.md §6 names reports to the second. A second run within the same
  // second must not replace the first report: wait for a free name.
  std::string stem;
  for (int attempt = 0;; ++attempt) {
    stem = signing::make_report_stem(hostname, !timestamp.empty()
                                                   ? timestamp
                                                   : signing::report_timestamp(
                                                         std::chrono::duration_cast<std::chrono::seconds>(
                                                             std::chrono::system_clock::now().time_since_epoch())
                                                             .count()));
    if (!name_taken(dir, stem)) break;
    if (attempt >= 20)
      throw SigningError(kExitCannotWrite, "cannot write reports: " + (dir / stem).string() + ".* keeps existing");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  try {
    for (const auto& report : reports) {
      const auto path = dir / signing::report_file_name(stem, report.extension);
      files_.push_back(path);  // before the write: discard() removes a partial one too
      signing::write_file_atomically(path, report.bytes, 0644, "report");
      spdlog::info("{}", tr("wrote {0}", path.string()));
    }
  } catch (...) {
    // A report set is whole or absent: a partial set would enter the chain.
    discard();
    throw;
  }
  signing::crash_point("reports-written");
  return files_;
}

CommitResult PendingSet::commit() {
  CommitResult result;
  result.recovered = recovered_;
  result.primary = signing::choose_primary(files_);
  if (!options_.spool) {
    result.spooled = CommitResult::Spooled::no;
  } else if (!options_.signing) {
    result.spooled = CommitResult::Spooled::unsigned_set;
  } else if (!chain_.is_main_chain()) {
    result.spooled = CommitResult::Spooled::not_main_chain;
  } else {
    std::optional<std::filesystem::path> carrier;
    for (const auto& file : files_) {
      if (signing::carries_chain_fields(file) && (!carrier || file.extension() == ".json")) carrier = file;
    }
    try {
      result.spooled = spool_set(options_, chain_.sequence(), carrier);
    } catch (...) {
      discard();
      throw;
    }
  }
  signing::crash_point("spooled");
  chain_.commit(result.primary);
  committed_ = true;
  try {
    const signing::IsAcknowledged acknowledged =
        options_.spool ? signing::acknowledged_unless_spooled(spool_directory(options_.state_dir))
                       : signing::IsAcknowledged([](const signing::ReportSet&) { return true; });
    result.pruned = signing::prune_reports(options_.reports_dir, options_.keep, acknowledged).removed;
  } catch (const std::exception& e) {
    // The report is written and chained: failing to remove old ones is worth
    // a warning, not a different verdict.
    result.prune_warning = i18n::exception_text(e);
  }
  return result;
}

void PendingSet::discard() noexcept {
  if (committed_ || files_.empty()) return;
  std::error_code error;
  bool removed = false;
  // Signatures before the reports they sign (issue #20 items 6, 9).
  for (const auto& file : files_) {
    if (std::filesystem::remove(signature_of(file), error)) {
      removed = true;
      signing::crash_point("rollback:signature");
    }
  }
  for (const auto& file : files_) {
    if (std::filesystem::remove(file, error)) {
      removed = true;
      signing::crash_point("rollback:report");
    }
  }
  if (removed) {
    try {
      signing::fsync_directory(options_.reports_dir);
    } catch (const SigningError&) {
      // The original error is the one the caller reports.
    }
  }
  files_.clear();
}

}  // namespace clinic_audit::store
