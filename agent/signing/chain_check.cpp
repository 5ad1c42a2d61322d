#include "chain_check.hpp"

#include <algorithm>
#include <map>

namespace clinic_audit::signing {
namespace {

bool has_file(const ChainEntry& entry, const std::string& sha256) {
  return std::find(entry.file_sha256.begin(), entry.file_sha256.end(), sha256) != entry.file_sha256.end();
}

std::string label(const ChainEntry& entry) { return entry.name + " (sequence " + std::to_string(entry.sequence) + ")"; }

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
      findings.problems.push_back("signed by another host: " + label(current) + " is signed by \"" +
                                  current.signer_identity + "\", not by this chain's identity \"" + identity +
                                  "\" (another host's report cannot extend this chain)");
    }
    if (current.sequence > kMaxSequence) {
      findings.problems.push_back("sequence overflow: " + label(current) +
                                  " is beyond 2^63-1; the chain cannot "
                                  "continue past it (the next sequence would wrap)");
      continue;
    }
    if (current.sequence == 0) {
      findings.problems.push_back(current.name + ": sequence 0: the report is not part of the chain");
      continue;
    }
    if (!current.previous_sha256 && current.sequence > 1) {
      findings.problems.push_back("chain restarted: " + label(current) +
                                  " has no previous_sha256 (the agent's state was lost or reset)");
    }
    if (current.previous_sha256 && current.sequence == 1) {
      findings.problems.push_back(label(current) + " is the first report but has a previous_sha256");
    }
    if (i == 0) continue;
    const ChainEntry& before = entries[i - 1];
    if (before.sequence > kMaxSequence) continue;
    if (current.sequence == before.sequence) {
      if (!current.report_id.empty() && current.report_id == before.report_id) {
        findings.problems.push_back("replayed report: " + current.name + " is a copy of " + before.name +
                                    " (same report_id " + current.report_id + ", sequence " +
                                    std::to_string(current.sequence) + ")");
      } else {
        findings.problems.push_back(
            "forked chain: " + before.name + " and " + current.name + " both carry sequence " +
            std::to_string(current.sequence) +
            (current.previous_sha256 == before.previous_sha256 ? ", after the same report" : ""));
      }
      continue;
    }
    if (!before.timestamp.empty() && !current.timestamp.empty() && current.timestamp < before.timestamp) {
      findings.problems.push_back("replayed or misdated report: " + label(before) + " is dated " + before.timestamp +
                                  ", after " + label(current) + " dated " + current.timestamp);
    }
    if (!current.previous_sha256) continue;  // already reported as a restart
    const bool links = has_file(before, *current.previous_sha256);
    const std::uint64_t expected = before.sequence + 1;
    if (links) {
      if (current.sequence > expected) {
        findings.notes.push_back("sequence " + range(expected, current.sequence - 1) +
                                 " skipped by the agent: " + current.name + " chains directly to " + before.name +
                                 " (a run interrupted before its report was signed; no report is missing)");
      }
      continue;
    }
    const ChainEntry* other = find_by_file(*current.previous_sha256);
    if (other != nullptr && other != &current) {
      findings.problems.push_back("forked chain: " + label(current) + " follows " + label(*other) + ", not " +
                                  label(before));
    } else if (current.sequence > expected) {
      findings.problems.push_back("gap in sequence: report(s) " + range(expected, current.sequence - 1) +
                                  " missing between " + before.name + " and " + current.name + " (" + current.name +
                                  " chains to a report not in the set)");
    } else {
      findings.problems.push_back("hash chain broken: previous_sha256 of " + label(current) +
                                  " is not the SHA-256 of " + label(before) +
                                  " (that report was replaced, or the chain forked)");
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
