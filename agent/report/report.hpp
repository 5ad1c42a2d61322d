// The report of one run: what every format (text, json, xml, junit, nagios,
// prometheus) renders. Field names follow DESIGN.md §6.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace clinic_audit {

struct ResultRecord {
  std::string check_id;
  std::string policy_id;
  std::string type;  // check type name
  std::string title;
  Severity severity = Severity::info;
  Status status = Status::error;
  std::string summary;
  std::vector<Evidence> evidence;
  // What to do about it (issue #17 item 2): `remediation_commands` are POSIX
  // sh command lines a root technician pastes as a whole (values from the
  // host shell-quoted; no prose, no control character); `remediation` is the
  // explanation (policy note, then the check's own).
  std::vector<std::string> remediation_commands;
  std::string remediation;
  std::int64_t duration_ms = 0;
  std::optional<std::string> waiver_reason;  // set when a waiver applied (status waived) or expired
};

// One policy variable's value and where it came from (issue #17 item 1).
struct VariableSource {
  std::string value;
  std::string source;  // FILE:LINE
  std::string kind;    // "Apache configuration", ".htaccess", ...
  bool root_only = false;
  std::string rejected_because;  // "" for a source that agrees with the value used
};

struct VariableRecord {
  std::string policy_id;
  std::string name;
  std::string value;
  std::string origin;  // "discovered" | "site configuration" | "policy default"
  std::string source;  // FILE:LINE (discovered), the configuration file, the policy file:line
  std::vector<VariableSource> other_sources;
  std::vector<std::string> notes;
};

struct PolicyRecord {
  std::string id;
  std::string version;
  std::string sha256;  // of the policy file's bytes
  std::string title;
};

struct HostInfo {
  std::string hostname;
  std::string machine_id;  // /etc/machine-id of the audited root ("" when absent)
  std::string os_release;  // PRETTY_NAME of the audited root's os-release
};

struct RunInfo {
  std::string started_at;  // RFC 3339 UTC, e.g. 2026-11-22T15:04:05Z
  std::string finished_at;
  std::string trigger;  // manual | timer | post-upgrade
  std::string root;     // "/" for the live system
  std::uint64_t sequence = 0;
  std::optional<std::string> previous_sha256;  // null for the first report of a machine
  double duration_seconds = 0;
};

struct Report {
  static constexpr const char* kSchema = "clinic-audit/report/1";
  std::string report_id;  // random UUID v4
  std::string agent_version;
  // Language of the human texts (summaries, evidence wording, policy texts):
  // "en" | "fr" (issue #18). Ids, statuses and field names never change.
  std::string lang = "en";
  HostInfo host;
  RunInfo run;
  std::vector<PolicyRecord> policies;
  std::vector<VariableRecord> variables;
  std::vector<ResultRecord> results;

  // Counts per status (every status present, zeros included) and compliance
  // (no fail and no error).
  std::map<Status, int> counts() const;
  bool compliant() const;
};

}  // namespace clinic_audit
