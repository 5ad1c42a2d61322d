// The sequence and hash chain across a set of reports (DESIGN.md §6-§7,
// issue #8 items 4-5): run.sequence increases by one per report and
// run.previous_sha256 is the SHA-256 of the previous report's primary file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clinic_audit::signing {

// One run's report set, as read from its JSON (else XML) report.
// The highest sequence a chain may carry: 2^63-1 (a signed 64-bit column in
// the collector's databases). A report beyond it, e.g. a planted 2^64-1 whose
// successor would wrap to 0, is refused as "sequence overflow" (issue #20.5).
inline constexpr std::uint64_t kMaxSequence = 0x7FFFFFFFFFFFFFFFULL;

struct ChainEntry {
  std::string hostname;  // chains are per host (the collector passes the machine-id)
  // The signer's identity: its certificate's subject serialNumber (the
  // machine-id), else its certificate fingerprint. Every report of a chain
  // must have the same one (issue #20.5): a key renewed for the same
  // machine-id keeps it, another host's certificate does not.
  std::string signer_identity;
  std::string name;       // the set's stem, for messages
  std::string timestamp;  // from the file name, yyyymmddThhmmssZ ("" if unknown)
  std::uint64_t sequence = 0;
  std::optional<std::string> previous_sha256;
  std::string report_id;
  std::vector<std::string> file_sha256;  // SHA-256 of each report file of the set
};

struct ChainFindings {
  std::vector<std::string> problems;
  std::vector<std::string> notes;
};

// Checks, per host, in sequence order:
//  - two sets with one sequence: "replayed report" when they are the same
//    report (same report_id), else "forked chain";
//  - a sequence that is older (by name timestamp) than a lower one: replay;
//  - n -> n+1 whose previous_sha256 is not a file of n: "hash chain broken"
//    (or "forked chain" when it names another report of the set);
//  - n -> m > n+1: "gap in sequence: n+1..m-1 missing" when the link does not
//    hold; when m's previous_sha256 IS n's file, no report was ever chained
//    in between: the agent skipped the numbers (a run interrupted before its
//    report was signed, see chain_state.hpp), reported as a note;
//  - previous_sha256 null after sequence 1: the chain was restarted;
//  - a sequence beyond kMaxSequence: "sequence overflow";
//  - a report signed by another identity than the chain's: "signed by
//    another host".
// The oldest set of a host may follow reports not in the set (pruned).
ChainFindings check_chain(std::vector<ChainEntry> entries);

// --- The same rules, one report at a time, against a caller's history ----
// (the collector judges each report as it arrives, DESIGN §7).

struct ChainLinkInfo {
  std::string report_id;
  std::uint64_t sequence = 0;
  std::optional<std::string> previous_sha256;
  std::string sha256;              // of the report's exact bytes
  std::string signer_fingerprint;  // SHA-256 of the signing certificate
};

struct KnownKey {
  std::string fingerprint;
  bool enrolled = false;  // issued by enrolment (an explicit re-key)
  std::int64_t first_seen = 0;
};

struct OpenGap {
  std::int64_t id = 0;  // the caller's handle
  std::uint64_t from = 0, to = 0;
};

struct HostChainState {
  bool known_host = false;
  std::string current_fingerprint;   // the key the host reports with now
  std::vector<ChainLinkInfo> links;  // stored reports of the host
  std::vector<KnownKey> keys;
  std::vector<OpenGap> open_gaps;
};

// Kinds: gap, replay, fork, restart, identity_change, clone (DESIGN §7).
struct ChainAnomaly {
  std::string kind;
  std::string detail;
  std::optional<std::uint64_t> seq_from, seq_to;  // gap range
};

struct GapFill {
  std::int64_t gap_id = 0;
  std::string resolution;
  std::vector<ChainAnomaly> remaining;  // what is still missing of it
};

struct ChainVerdict {
  std::vector<ChainAnomaly> anomalies;
  std::vector<GapFill> gap_fills;
  bool becomes_current_key = true;
};

// Judges `incoming` (not yet stored; its sha256 is not among the links) against
// the host's history. Never refuses: an anomaly is flagged, the report kept.
ChainVerdict judge_next(const HostChainState& state, const ChainLinkInfo& incoming);

}  // namespace clinic_audit::signing
