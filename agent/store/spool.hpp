// The spool (DESIGN.md §5 /var/lib/clinic-audit/spool, §7; issue #12 items
// 2, 4, 6): the signed reports the collector has not acknowledged yet.
//
// One entry = the run's primary report (the JSON one, else the XML one: the
// file that carries run.sequence) and its detached signature, stored as
//   SPOOL/<sequence, 20 digits>-<report file name>        (exact bytes)
//   SPOOL/<sequence, 20 digits>-<report file name>.p7s
// so that `ls` and `submit` see them oldest first by sequence, whatever the
// clock said when the reports were named (clock skew, issue #12 "bad input").
//
// Crash consistency (issue #20 items 6 and 9): an entry is added signature
// first, report second. It is removed, once acknowledged, by writing the
// marker SPOOL/<seq>-<name>.acked, then removing the signature, the report
// and the marker. So a lone signature is an interrupted add (the run had
// not committed: the next run re-adds the set from the reports directory)
// or the end of an interrupted removal, and a report with a marker an
// interrupted removal: recover() removes both. A lone report without a
// marker is no crash of ours: its signature was lost (deleted by hand, a
// damaged disk). It was never acknowledged, so it is not removed:
// unsigned_entries() lists it and submit sets it aside in rejected/.
// Every rename and unlink is followed by an fsync of the directory.
//
// A full spool (issue #12 item 4) drops nothing: a report that does not fit
// gets a marker SPOOL/waiting/<sequence, 20 digits>-<report file name>
// holding the report's path in the reports directory. Retention keeps a
// report with a marker as it keeps a spooled one, and the next run or
// submit spools the waiting reports, lowest sequence first, as soon as
// acknowledgements (or a larger limit) make room; while any report waits,
// a newer one waits behind it, so the spool always holds lower sequences
// than the waiting list and the collector gets them in order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::store {

struct SpoolLimits {
  std::size_t max_reports = 1000;          // <spool max-reports="N"/>
  std::uint64_t max_bytes = 256ULL << 20;  // <spool max-bytes="B"/>
};

struct SpoolEntry {
  std::uint64_t sequence = 0;
  std::string name;                 // the report's own file name (clinic-audit-HOST-STAMP.json)
  std::filesystem::path report;     // SPOOL/<seq>-<name>
  std::filesystem::path signature;  // report + ".p7s"
  std::uint64_t bytes = 0;          // report + signature
};

// A report that did not fit the spool and waits for room (see above).
struct WaitingEntry {
  std::uint64_t sequence = 0;
  std::string name;              // the report's own file name
  std::filesystem::path marker;  // SPOOL/waiting/<seq>-<name>
};

// What spool_waiting() did.
struct DrainResult {
  std::size_t spooled = 0;                     // moved from waiting into the spool
  std::size_t still_waiting = 0;               // no room yet
  std::vector<std::filesystem::path> missing;  // reports gone from the reports directory (markers dropped)
};

struct SpoolUsage {
  std::size_t reports = 0;
  std::uint64_t bytes = 0;
};

class Spool {
 public:
  explicit Spool(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path rejected_dir() const { return dir_ / "rejected"; }
  std::filesystem::path waiting_dir() const { return dir_ / "waiting"; }

  // Complete entries (report and signature present), lowest sequence first
  // (then by name). A missing spool directory is an empty spool.
  std::vector<SpoolEntry> entries() const;
  SpoolUsage usage() const;
  // Whether an entry (complete or not) or a waiting marker holds a file of
  // the report set `stem`.
  bool contains_stem(std::string_view stem) const;

  enum class AddResult { added, already_there, full };
  // Adds `report` (and report.p7s) under `sequence`: a hard link when the
  // spool is on the same file system (no copy, no second inode to keep in
  // sync), else a copy; each through a temporary name, renamed, the
  // directory fsynced. `full` (nothing written) when the entry would pass a
  // limit: the oldest unacknowledged reports are kept (issue #12 item 4).
  // An empty spool always takes one report, whatever the limits.
  // Crash points "spool:temp-written" and "spool:renamed" (twice per add).
  // Throws SigningError(73) when the spool cannot be written.
  AddResult add(std::uint64_t sequence, const std::filesystem::path& report, const SpoolLimits& limits);

  // Records that `report` (sequence `sequence`, with report.p7s beside it)
  // did not fit: an atomic marker file in waiting/ holding its absolute
  // path (idempotent). Crash points "waiting:temp-written", "waiting:renamed".
  void mark_waiting(std::uint64_t sequence, const std::filesystem::path& report);
  // The markers, lowest sequence first (a missing directory: none).
  std::vector<WaitingEntry> waiting() const;
  // Spools the waiting reports, lowest sequence first, while they fit, and
  // stops at the first that does not (order is kept). A marker whose report
  // or signature is gone from the reports directory (removed by hand) is
  // dropped and listed in `missing`. Each marker is removed only after its
  // report is spooled (crash point "waiting:spooled" in between: the next
  // call finds it already there and drops the marker).
  DrainResult spool_waiting(const SpoolLimits& limits);

  // After the collector acknowledged it: the marker NAME.acked, the
  // signature, the report, the marker, each followed by an fsync. Crash
  // points "spool-remove:acknowledged", "spool-remove:signature",
  // "spool-remove:report".
  void remove(const SpoolEntry& entry);

  // Moves a report the agent must never send as valid (truncated, edited,
  // refused by the collector as malformed) to SPOOL/rejected/ with
  // NAME.reason saying why. Returns the reason file.
  std::filesystem::path reject(const SpoolEntry& entry, const std::string& reason);

  // Removes incomplete entries and temporary files left by a crash (see
  // above), and waiting markers of reports already spooled. Returns what it
  // removed.
  std::vector<std::filesystem::path> recover();
  // Reports without their signature and without an acknowledgement marker
  // (see above), lowest sequence first; `signature` names the missing file.
  std::vector<SpoolEntry> unsigned_entries() const;

 private:
  std::filesystem::path dir_;
};

// SPOOL/<seq>-<name> -> (seq, name); nullopt for anything else.
std::optional<std::pair<std::uint64_t, std::string>> parse_spool_name(std::string_view file_name);

// Prometheus text-file metrics (node_exporter's textfile collector format)
// in STATE_DIR/spool.prom, so that a full spool is visible on the host's
// monitoring and not only in the journal: clinic_audit_spool_reports,
// clinic_audit_spool_bytes, clinic_audit_spool_rejected,
// clinic_audit_spool_waiting (reports written locally that wait for room in
// the spool), clinic_audit_spool_not_spooled_total (how many reports found
// the spool full; a counter kept across runs).
void update_spool_metrics(const std::filesystem::path& state_dir, const Spool& spool, std::uint64_t newly_not_spooled);
// The current value of clinic_audit_spool_not_spooled_total (0 if none).
std::uint64_t spool_not_spooled_total(const std::filesystem::path& state_dir);

}  // namespace clinic_audit::store
