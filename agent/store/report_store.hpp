// The agent's report store (issue #12 item 1): what `run --out DIR` does to
// the disk, behind one interface. A run goes
//
//   PendingSet set = PendingSet::begin(options);   lock, recover, reserve
//   ... put set.sequence() / set.previous_sha256() into the report, render ...
//   set.write(hostname, rendered);                   every format, whole or absent
//   ... sign set.files() (agent/signing) ...
//   CommitResult r = set.commit();                   spool, commit the chain, prune
//
// and any exception between begin() and commit() leaves the caller to call
// set.discard(), which removes what was written (signatures first). A crash
// (SIGKILL, power cut) at any point leaves either nothing or a complete set,
// spooled when the store spools: the next begin() completes or removes it
// (chain_state.hpp, spool.hpp). The crash points are listed in
// agent/store/tests/store_crash_test.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "chain_state.hpp"
#include "spool.hpp"

namespace clinic_audit::store {

// The files moved here from agent/signing keep their namespace for now, so
// that `verify` and the collector, which share them, build unchanged.
using signing::BeginOptions;
using signing::ChainState;

struct StoreOptions {
  std::filesystem::path reports_dir;  // --out DIR
  std::filesystem::path state_dir;    // --state-dir (default /var/lib/clinic-audit)
  bool signing = true;                // false with --no-sign: unsigned sets are never spooled
  bool spool = false;                 // a collector is configured or enrolled
  SpoolLimits spool_limits;
  std::size_t keep = 30;  // <reports keep="N"/>
};

// STATE_DIR/spool (DESIGN.md §5).
std::filesystem::path spool_directory(const std::filesystem::path& state_dir);

// STATE_DIR/collector: the collector URL `enroll` recorded (issue #12 item
// 3: in the agent's state, not in the administrator's conffile).
std::filesystem::path collector_record_file(const std::filesystem::path& state_dir);
// Its URL, nullopt when the machine never enrolled (or the file is empty).
std::optional<std::string> read_collector_record(const std::filesystem::path& state_dir);
void write_collector_record(const std::filesystem::path& state_dir, const std::string& url);

// Logs what Spool::spool_waiting() did (reports spooled, reports lost).
void log_drain(const Spool& spool, const DrainResult& drained);

struct RenderedReport {
  std::string extension;  // json, xml, txt, junit.xml, nagios.txt, prom
  std::string bytes;
};

struct CommitResult {
  enum class Spooled { no, yes, full, not_main_chain, unsigned_set, no_chain_carrier };
  Spooled spooled = Spooled::no;
  std::filesystem::path primary;
  std::vector<std::filesystem::path> pruned;
  std::vector<std::filesystem::path> recovered;  // leftovers removed by begin()
  std::string prune_warning;                     // empty when pruning went well
};

class PendingSet {
 public:
  // Throws SigningError (65 corrupt state, 73 cannot write).
  static PendingSet begin(const StoreOptions& options);

  std::uint64_t sequence() const { return chain_.sequence(); }
  const std::optional<std::string>& previous_sha256() const { return chain_.previous_sha256(); }
  bool is_main_chain() const { return chain_.is_main_chain(); }

  // Writes DIR/clinic-audit-<host>-<UTC stamp>.<ext> for each report,
  // atomically, under a name no file of the directory has yet (a second run
  // in the same second waits for the next one). Crash points
  // "report:temp-written", "report:renamed" per file, "reports-written".
  // On failure removes what it wrote and throws SigningError(73).
  // `timestamp` (yyyymmddThhmmssZ) replaces the clock, for tests.
  const std::vector<std::filesystem::path>& write(const std::string& hostname,
                                                  const std::vector<RenderedReport>& reports,
                                                  const std::string& timestamp = {});
  const std::vector<std::filesystem::path>& files() const { return files_; }

  // Spools the primary report and its signature (main chain, signed, store
  // spools), then commits the chain state, then prunes old sets (a failed
  // prune is a warning in the result). Throws SigningError(73) when the
  // spool cannot be written: the set is then discarded, nothing is chained.
  CommitResult commit();

  // Removes the files of this set (signatures, then reports, each unlink
  // made durable). Crash points "rollback:signature", "rollback:report".
  void discard() noexcept;

 private:
  PendingSet(StoreOptions options, ChainState chain) : options_(std::move(options)), chain_(std::move(chain)) {}
  StoreOptions options_;
  ChainState chain_;
  std::vector<std::filesystem::path> files_;
  std::vector<std::filesystem::path> recovered_;
  bool committed_ = false;
};

}  // namespace clinic_audit::store
