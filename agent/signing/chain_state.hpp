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
//    files of interrupted atomic writes. Its number stays used: the next
//    report skips it and chains (previous_sha256) to the last complete one;
//    `verify` recognises such a skip by the intact hash link and tells it
//    apart from a dropped report, whose successor would chain to it.
//  - begin() takes an exclusive flock on STATE_DIR/state.lock, held until
//    commit() or destruction, so two concurrent runs (timer + technician)
//    cannot take the same number.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace clinic_audit::signing {

struct StateRecord {
  std::uint64_t reserved = 0;        // highest sequence ever handed out
  bool reserved_signed = true;       // whether that run was to sign its reports
  std::uint64_t last_sequence = 0;   // last committed report (0: none)
  std::optional<std::string> last_sha256;
  std::filesystem::path last_report; // its primary file
};

// Reads STATE_DIR/state (nullopt when absent). Throws SigningError(65) when
// it exists but cannot be parsed.
std::optional<StateRecord> read_state(const std::filesystem::path& state_dir);

class ChainState {
 public:
  // Locks, recovers from an interrupted run (see above), reserves the next
  // sequence durably. `reports_dir` is the run's --out directory.
  // `signing` says whether this run signs its reports (false with --no-sign).
  // Crash points: "reserve:temp-written", "reserve:renamed".
  // Throws SigningError (65 corrupt state, 73 cannot write state).
  static ChainState begin(const std::filesystem::path& state_dir, const std::filesystem::path& reports_dir,
                          bool signing = true);

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
  int lock_fd_ = -1;
  std::uint64_t sequence_ = 0;
  std::optional<std::string> previous_sha256_;
  StateRecord record_;
  std::vector<std::filesystem::path> removed_;
};

}  // namespace clinic_audit::signing
