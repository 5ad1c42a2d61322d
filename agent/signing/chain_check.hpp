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
struct ChainEntry {
  std::string hostname;   // chains are per host
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
//  - previous_sha256 null after sequence 1: the chain was restarted.
// The oldest set of a host may follow reports not in the set (pruned).
ChainFindings check_chain(std::vector<ChainEntry> entries);

}  // namespace clinic_audit::signing
