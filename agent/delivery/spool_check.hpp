// Before a spooled report leaves the machine (issue #12 "bad input": a spool
// file truncated or edited by hand is reported, kept aside, never sent as
// valid): its bytes must still be a report carrying the sequence its spool
// name says, and its detached CMS signature must still verify over exactly
// those bytes (the signer's certificate is the one embedded; the chain to
// the regional CA is the collector's job).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spool.hpp"

namespace clinic_audit::delivery {

struct SpooledReport {
  std::string bytes;
  std::string signature;
  std::string report_id;
  std::uint64_t sequence = 0;
};

// Largest spooled report or signature submit reads (the collector's default
// body limit is 4 MiB, DESIGN.md §7).
inline constexpr std::uint64_t kMaxSpooledFileBytes = 16ULL << 20;

// The report, or nullopt with `why` saying what is wrong with it.
std::optional<SpooledReport> load_spooled_report(const store::SpoolEntry& entry, std::string& why);

// Whether `signature` (DER CMS) is a valid detached signature of `content`.
bool detached_signature_matches(std::string_view content, std::string_view signature, std::string& why);

}  // namespace clinic_audit::delivery
