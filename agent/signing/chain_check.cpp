#include "chain_check.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <map>

namespace clinic_audit::signing {
namespace {

bool has_file(const ChainEntry& entry, const std::string& sha256) {
  return std::find(entry.file_sha256.begin(), entry.file_sha256.end(), sha256) != entry.file_sha256.end();
}

std::string label(const ChainEntry& entry) { return tr("{0} (sequence {1})", entry.name, entry.sequence); }

std::string range(std::uint64_t from, std::uint64_t to) {
  return from == to ? std::to_string(from) : std::to_string(from) + ".." + std::to_string(to);
}

void check_host(std::vector<ChainEntry>& entries, ChainFindings& findings) {
  std::stable_sort(entries.begin(), entries.end(), [](const ChainEntry& a, const ChainEntry& b) {
    return a.sequence != b.sequence ? a.sequence < b.sequence : a.timestamp < b.timestamp;
  });
  auto find_by_file = [&](const std::string& sha256) -> const ChainEntry* {
    for (const auto& entry : entries) {
      if (has_file(entry, sha256)) return &entry;
    }
    return nullptr;
  };
  // The chain's identity: that of its first report (by sequence).
  std::string identity;
  for (const auto& entry : entries) {
    if (!entry.signer_identity.empty()) {
      identity = entry.signer_identity;
      break;
    }
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ChainEntry& current = entries[i];
    if (!current.signer_identity.empty() && current.signer_identity != identity) {
      findings.problems.push_back(tr("signed by another host: {0} is signed by \"{1}\", not by this chain's "
                                     "identity \"{2}\" (another host's report cannot extend this chain)",
                                     label(current), current.signer_identity, identity));
    }
    if (current.sequence > kMaxSequence) {
      findings.problems.push_back(tr("sequence overflow: {0} is beyond 2^63-1; the chain cannot continue past it "
                                     "(the next sequence would wrap)",
                                     label(current)));
      continue;
    }
    if (current.sequence == 0) {
      findings.problems.push_back(tr("{0}: sequence 0: the report is not part of the chain", current.name));
      continue;
    }
    if (!current.previous_sha256 && current.sequence > 1) {
      findings.problems.push_back(
          tr("chain restarted: {0} has no previous_sha256 (the agent's state was lost or reset)", label(current)));
    }
    if (current.previous_sha256 && current.sequence == 1) {
      findings.problems.push_back(tr("{0} is the first report but has a previous_sha256", label(current)));
    }
    if (i == 0) continue;
    const ChainEntry& before = entries[i - 1];
    if (before.sequence > kMaxSequence) continue;
    if (current.sequence == before.sequence) {
      if (!current.report_id.empty() && current.report_id == before.report_id) {
        findings.problems.push_back(tr("replayed report: {0} is a copy of {1} (same report_id {2}, sequence {3})",
                                       current.name, before.name, current.report_id, current.sequence));
      } else {
        findings.problems.push_back(
            current.previous_sha256 == before.previous_sha256
                ? tr("forked chain: {0} and {1} both carry sequence {2}, after the same report", before.name,
                     current.name, current.sequence)
                : tr("forked chain: {0} and {1} both carry sequence {2}", before.name, current.name, current.sequence));
      }
      continue;
    }
    if (!before.timestamp.empty() && !current.timestamp.empty() && current.timestamp < before.timestamp) {
      findings.problems.push_back(tr("replayed or misdated report: {0} is dated {1}, after {2} dated {3}",
                                     label(before), before.timestamp, label(current), current.timestamp));
    }
    if (!current.previous_sha256) continue;  // already reported as a restart
    const bool links = has_file(before, *current.previous_sha256);
    const std::uint64_t expected = before.sequence + 1;
    if (links) {
      if (current.sequence > expected) {
        findings.notes.push_back(tr("sequence {0} skipped by the agent: {1} chains directly to {2} (a run "
                                    "interrupted before its report was signed; no report is missing)",
                                    range(expected, current.sequence - 1), current.name, before.name));
      }
      continue;
    }
    const ChainEntry* other = find_by_file(*current.previous_sha256);
    if (other != nullptr && other != &current) {
      findings.problems.push_back(
          tr("forked chain: {0} follows {1}, not {2}", label(current), label(*other), label(before)));
    } else if (current.sequence > expected) {
      findings.problems.push_back(tr("gap in sequence: report(s) {0} missing between {1} and {2} ({2} chains to a "
                                     "report not in the set)",
                                     range(expected, current.sequence - 1), before.name, current.name));
    } else {
      findings.problems.push_back(tr("hash chain broken: previous_sha256 of {0} is not the SHA-256 of {1} (that "
                                     "report was replaced, or the chain forked)",
                                     label(current), label(before)));
    }
  }
}

}  // namespace

ChainFindings check_chain(std::vector<ChainEntry> entries) {
  std::map<std::string, std::vector<ChainEntry>> by_host;
  for (auto& entry : entries) by_host[entry.hostname].push_back(std::move(entry));
  ChainFindings findings;
  for (auto& [host, host_entries] : by_host) check_host(host_entries, findings);
  return findings;
}

}  // namespace clinic_audit::signing
