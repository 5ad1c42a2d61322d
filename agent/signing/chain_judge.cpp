// judge_next(): the chain rules of chain_check.cpp applied to one arriving
// report against the history a collector holds (DESIGN §7, issue #11 item 5).
#include <algorithm>

#include "chain_check.hpp"

namespace clinic_audit::signing {
namespace {

std::string range_text(std::uint64_t from, std::uint64_t to) {
  return from == to ? std::to_string(from) : std::to_string(from) + ".." + std::to_string(to);
}

std::string short_fp(const std::string& fingerprint) { return fingerprint.substr(0, 16); }

ChainAnomaly gap(std::uint64_t from, std::uint64_t to, const std::string& context) {
  const std::uint64_t count = to - from + 1;
  return {"gap",
          std::to_string(count) + " report(s) missing: sequence " + range_text(from, to) +
              (context.empty() ? "" : " " + context),
          from, to};
}

const ChainLinkInfo* link_at(const HostChainState& state, std::uint64_t sequence) {
  for (const auto& link : state.links) {
    if (link.sequence == sequence) return &link;
  }
  return nullptr;
}

// A new key for a known machine-id (DESIGN §7): an explicit re-key is the
// latest key issued by enrolment; going back to an older key is the mark of
// two machines sharing one machine-id (a clone); any other new key is an
// identity change without re-enrolment.
void judge_identity(const HostChainState& state, const ChainLinkInfo& in, ChainVerdict& verdict) {
  if (!state.known_host || state.current_fingerprint.empty() || in.signer_fingerprint == state.current_fingerprint)
    return;
  const KnownKey* latest_enrolled = nullptr;
  const KnownKey* seen = nullptr;
  for (const auto& key : state.keys) {
    if (key.enrolled && (latest_enrolled == nullptr || key.first_seen >= latest_enrolled->first_seen))
      latest_enrolled = &key;
    if (key.fingerprint == in.signer_fingerprint) seen = &key;
  }
  if (latest_enrolled != nullptr && latest_enrolled->fingerprint == in.signer_fingerprint) return;  // re-key
  if (seen != nullptr) {
    verdict.anomalies.push_back(
        {"clone",
         "suspected clone: reports alternate between two keys for this machine-id (certificate " +
             short_fp(in.signer_fingerprint) + "... again after " + short_fp(state.current_fingerprint) + "...)",
         {},
         {}});
    verdict.becomes_current_key = false;
    return;
  }
  verdict.anomalies.push_back({"identity_change",
                               "new certificate " + short_fp(in.signer_fingerprint) +
                                   "... for a known machine-id "
                                   "without re-enrolment (was " +
                                   short_fp(state.current_fingerprint) + "...)",
                               {},
                               {}});
}

// A report older than the newest stored one.
void judge_late(const HostChainState& state, const ChainLinkInfo& in, std::uint64_t lowest, ChainVerdict& verdict) {
  const std::uint64_t s = in.sequence;
  if (const ChainLinkInfo* before = link_at(state, s - 1);
      before != nullptr && in.previous_sha256 && *in.previous_sha256 != before->sha256) {
    verdict.anomalies.push_back({"fork",
                                 "late report " + in.report_id + " (sequence " + std::to_string(s) +
                                     ") does not follow the stored sequence " + std::to_string(s - 1) + " (" +
                                     before->report_id + ")",
                                 {},
                                 {}});
  }
  if (const ChainLinkInfo* after = link_at(state, s + 1);
      after != nullptr && after->previous_sha256 && *after->previous_sha256 != in.sha256) {
    verdict.anomalies.push_back({"fork",
                                 "the stored sequence " + std::to_string(s + 1) + " (" + after->report_id +
                                     ") does not follow late report " + in.report_id + " (sequence " +
                                     std::to_string(s) + ")",
                                 {},
                                 {}});
  }
  for (const OpenGap& open : state.open_gaps) {
    if (s < open.from || s > open.to) continue;
    GapFill fill{open.id, "sequence " + std::to_string(s) + " arrived late (report " + in.report_id + ")", {}};
    if (s > open.from) fill.remaining.push_back(gap(open.from, s - 1, "(after a late report filled part of the gap)"));
    if (s < open.to) fill.remaining.push_back(gap(s + 1, open.to, "(after a late report filled part of the gap)"));
    verdict.gap_fills.push_back(std::move(fill));
    return;
  }
  if (s > lowest) {
    verdict.anomalies.push_back({"fork",
                                 "sequence " + std::to_string(s) + " (report " + in.report_id +
                                     ") was never missing: the stored chain links around it",
                                 {},
                                 {}});
  }
}

}  // namespace

ChainVerdict judge_next(const HostChainState& state, const ChainLinkInfo& in) {
  ChainVerdict verdict;
  judge_identity(state, in, verdict);
  const std::uint64_t s = in.sequence;
  if (s == 0 || s > kMaxSequence) {  // the caller refuses these; never do arithmetic on them
    verdict.anomalies.push_back({"fork", "sequence " + std::to_string(s) + " is outside 1..2^63-1", {}, {}});
    return verdict;
  }
  bool same_sequence = false;
  for (const auto& link : state.links) {
    if (link.report_id == in.report_id) {
      verdict.anomalies.push_back({"replay",
                                   "report " + in.report_id + " (sequence " + std::to_string(link.sequence) +
                                       ") sent again with different bytes (now sequence " + std::to_string(s) + ")",
                                   {},
                                   {}});
      return verdict;
    }
    if (link.sequence == s) same_sequence = true;
  }
  if (same_sequence) {
    const ChainLinkInfo* other = link_at(state, s);
    verdict.anomalies.push_back({"fork",
                                 "two reports with sequence " + std::to_string(s) + ": " + other->report_id + " and " +
                                     in.report_id +
                                     (in.previous_sha256 == other->previous_sha256 ? ", after the same report" : "") +
                                     " (a restored snapshot or a copied machine)",
                                 {},
                                 {}});
    return verdict;
  }
  if (state.links.empty()) return verdict;  // first report seen: the chain may have begun before enrolment
  std::uint64_t highest = 0, lowest = kMaxSequence;
  const ChainLinkInfo* newest = nullptr;
  for (const auto& link : state.links) {
    if (link.sequence >= highest) {
      highest = link.sequence;
      newest = &link;
    }
    lowest = std::min(lowest, link.sequence);
  }
  if (!in.previous_sha256) {
    verdict.anomalies.push_back({"restart",
                                 "chain restarted at sequence " + std::to_string(s) +
                                     " without previous_sha256 after " + std::to_string(state.links.size()) +
                                     " stored report(s) up to sequence " + std::to_string(highest) +
                                     " (the agent's state was lost or reset)",
                                 {},
                                 {}});
    return verdict;
  }
  if (s < highest) {
    judge_late(state, in, lowest, verdict);
    return verdict;
  }
  if (*in.previous_sha256 == newest->sha256) return verdict;  // in order (numbers the agent skipped are no gap)
  if (s == highest + 1) {
    const auto other = std::find_if(state.links.begin(), state.links.end(),
                                    [&](const ChainLinkInfo& link) { return link.sha256 == *in.previous_sha256; });
    verdict.anomalies.push_back(
        {"fork",
         other != state.links.end()
             ? "sequence " + std::to_string(s) + " follows " + other->report_id + " (sequence " +
                   std::to_string(other->sequence) + "), not the latest " + newest->report_id
             : "sequence " + std::to_string(s) + " does not follow the stored sequence " + std::to_string(highest) +
                   " (" + newest->report_id + "): its previous_sha256 names a report this collector never received",
         {},
         {}});
    return verdict;
  }
  verdict.anomalies.push_back(gap(highest + 1, s - 1, "between " + newest->report_id + " and " + in.report_id));
  return verdict;
}

}  // namespace clinic_audit::signing
