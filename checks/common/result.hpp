// Result vocabulary shared by checks, the pipeline and every report format
// (DESIGN.md §3: statuses and severities).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit {

// `error` means "could not evaluate" and is never a pass or a fail.
enum class Status { pass, fail, error, not_applicable, waived, skipped };
enum class Severity { critical, high, medium, low, info };

std::string_view to_string(Status status);
std::string_view to_string(Severity severity);
std::optional<Status> parse_status(std::string_view text);
std::optional<Severity> parse_severity(std::string_view text);

// One observation supporting a result: where it was seen, what was seen,
// what the policy expected there.
struct Evidence {
  std::string path;         // file inside the audited root ("" when not file-based)
  std::optional<int> line;  // 1-based line in `path`, when known
  std::string observed;
  std::string expected;

  bool operator==(const Evidence&) const = default;
};

// What a check returns; the pipeline adds ids, title, severity, timing.
struct Outcome {
  Status status = Status::error;
  std::string summary;
  std::vector<Evidence> evidence;
  // Remediation specific to what was found, split as issue #17 asks:
  //  - remediation_commands: POSIX sh command lines a root technician can
  //    paste as they are (idempotent; every value taken from the audited
  //    machine quoted with shell_word()/shell_quote(), shell_quote.hpp);
  //    no prose in them.
  //  - remediation: the explanation (prose, never meant to be pasted).
  // Reported after the policy's own remediation.
  std::vector<std::string> remediation_commands;
  std::string remediation;
  // False when the check found that the policy's generic commands do not
  // apply on this host (a unit or a binary that is not installed: chown or
  // enable would fail): only the check's own commands (maybe none) are given.
  bool policy_commands_apply = true;

  static Outcome pass(std::string summary, std::vector<Evidence> evidence = {});
  static Outcome fail(std::string summary, std::vector<Evidence> evidence = {});
  static Outcome error(std::string summary, std::vector<Evidence> evidence = {});
  static Outcome not_applicable(std::string summary, std::vector<Evidence> evidence = {});
  static Outcome skipped(std::string summary);
};

}  // namespace clinic_audit
