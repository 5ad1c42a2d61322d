// The report chain's state (DESIGN.md §5 /var/lib/clinic-audit/state; issue
// #8 item 4): each report carries run.sequence (one more than the previous
// report's) and run.previous_sha256 (SHA-256 of the previous report's
// primary file), so a dropped, replayed or forked report shows.
//
// Crash safety. A run goes: begin() -> write reports -> sign -> commit().
//  - begin() RESERVES the sequence number durably (state written with
//    temp + fsync + rename + fsync dir) before any report byte exists, so a
//    number handed out once is never handed out again, whatever happens next:
//    next = 1 + max(reserved, last committed, highest run.sequence of any
//    report set present in the reports directory).
//  - A crash after the reports and signatures are durable but before
//    commit() is rolled forward by the next begin(): the highest complete
//    (fully signed) set newer than the committed one becomes the previous
//    report, so its successor chains to it and nothing forks.
//  - A crash before every signature is written leaves an incomplete set
//    (a report without its .p7s) carrying the reserved number: it was never
//    a valid report, so the next begin() removes it, together with temporary
//    files of interrupted atomic writes. Any other set with some but not all
//    of its signatures (a prune or a rollback interrupted) is removed too.
//    Removal takes the signatures first, then the reports they sign (issue
//    #20 item 9): an interruption never leaves a signature without its report.
//  - Only fully signed sets count when choosing the next number (and the
//    roll-forward candidate): a planted unsigned file cannot move the chain
//    (issue #20 items 5 and 9). Unsigned sets count only for an unsigned run. Its number stays used: the next
//    report skips it and chains (previous_sha256) to the last complete one;
//    `verify` recognises such a skip by the intact hash link and tells it
//    apart from a dropped report, whose successor would chain to it.
//  - One chain per reports directory (issue #20 item 9). The state records
//    the directory its chain lives in (reports_dir). A run with --out OTHER
//    sharing the state directory keeps OTHER's chain in
//    STATE_DIR/chains/<sha256(OTHER) prefix>, so neither directory shows a
//    gap; only the main chain (is_main_chain()) is spooled for the collector.
//    Before the first report, the main directory is STATE_DIR/reports if it
//    exists (the package creates it), else the first run's directory.
//  - begin() takes an exclusive flock on STATE_DIR/state.lock, held until
//    commit() or destruction, so two concurrent runs (timer + technician)
//    cannot take the same number.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace clinic_audit::signing {

struct StateRecord {
  std::uint64_t reserved = 0;       // highest sequence ever handed out
  bool reserved_signed = true;      // whether that run was to sign its reports
  std::uint64_t last_sequence = 0;  // last committed report (0: none)
  std::optional<std::string> last_sha256;
  std::filesystem::path last_report;  // its primary file
  std::filesystem::path reports_dir;  // the directory this chain lives in (absolute)
};

struct ReportSet;

struct BeginOptions {
  bool signing = true;  // whether this run signs its reports (false with --no-sign)
  // Called for a complete set found beyond the committed one (a run killed
  // after signing but before commit) BEFORE the state records it as the
  // previous report: the store spools it here, so that a crash at any point
  // leaves no report or a complete spooled one. Main chain only.
  std::function<void(const ReportSet&, std::uint64_t sequence)> on_roll_forward;
};

// Reads STATE_DIR/state (nullopt when absent). Throws SigningError(65) when
// it exists but cannot be parsed.
std::optional<StateRecord> read_state(const std::filesystem::path& state_dir);
// The same for the chain of `reports_dir` (main or not).
std::optional<StateRecord> read_chain_state(const std::filesystem::path& state_dir,
                                            const std::filesystem::path& reports_dir);

class ChainState {
 public:
  // Locks, recovers from an interrupted run (see above), reserves the next
  // sequence durably. `reports_dir` is the run's --out directory.
  // `signing` says whether this run signs its reports (false with --no-sign).
  // Crash points: "reserve:temp-written", "reserve:renamed".
  // Throws SigningError (65 corrupt state, 73 cannot write state).
  static ChainState begin(const std::filesystem::path& state_dir, const std::filesystem::path& reports_dir,
                          bool signing = true);
  static ChainState begin(const std::filesystem::path& state_dir, const std::filesystem::path& reports_dir,
                          const BeginOptions& options);

  // Whether this run extends the state directory's main chain (the one
  // spooled for the collector) rather than the chain of another --out DIR.
  bool is_main_chain() const { return main_chain_; }

  std::uint64_t sequence() const { return sequence_; }
  const std::optional<std::string>& previous_sha256() const { return previous_sha256_; }
  // Files begin() removed as leftovers of an interrupted run (for a log line).
  const std::vector<std::filesystem::path>& removed_leftovers() const { return removed_; }

  // Records `primary_report` (choose_primary() of the files written) as the
  // last report: call it once the reports AND their signatures are durable
  // (and spooled, if the run spools). Crash points "commit:temp-written",
  // "commit:renamed". Releases the lock.
  void commit(const std::filesystem::path& primary_report);

  ChainState(ChainState&& other) noexcept;
  ChainState& operator=(ChainState&&) = delete;
  ChainState(const ChainState&) = delete;
  ChainState& operator=(const ChainState&) = delete;
  ~ChainState();

 private:
  ChainState() = default;
  std::filesystem::path state_dir_;
  std::filesystem::path state_file_;
  bool main_chain_ = true;
  int lock_fd_ = -1;
  std::uint64_t sequence_ = 0;
  std::optional<std::string> previous_sha256_;
  StateRecord record_;
  std::vector<std::filesystem::path> removed_;
};

}  // namespace clinic_audit::signing
