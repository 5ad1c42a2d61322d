#include "render_prometheus.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "output_text.hpp"
#include "rfc3339.hpp"

namespace clinic_audit {
namespace {

constexpr Status kStatuses[] = {Status::pass,           Status::fail,   Status::error,
                                Status::not_applicable, Status::waived, Status::skipped};

// Exposition format: in label values, backslash, double quote and line feed
// are escaped as \\, \" and \n.
std::string label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void family(std::string& out, std::string_view name, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
}

// Shortest representation that reads back to the same double (Go's
// ParseFloat accepts it).
std::string number(double value) { return fmt::format("{}", value); }

}  // namespace

std::string render_prometheus(const Report& input) {
  const Report report = report_output::normalized_for_output(input);
  std::string out;

  family(out, "clinic_audit_check_status",
         "Status of each check in the last run, one-hot: 1 on the series of its status, 0 on the others.");
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& result : report.results) {
    if (!seen.emplace(result.check_id, result.policy_id).second) continue;
    const std::string labels = fmt::format(R"(check_id="{}",policy="{}",severity="{}")", label_value(result.check_id),
                                           label_value(result.policy_id), to_string(result.severity));
    for (Status status : kStatuses) {
      out += fmt::format("clinic_audit_check_status{{{},status=\"{}\"}} {}\n", labels, to_string(status),
                         status == result.status ? 1 : 0);
    }
  }

  family(out, "clinic_audit_checks", "Number of checks per status in the last run.");
  for (const auto& [status, count] : report.counts()) {
    out += fmt::format("clinic_audit_checks{{status=\"{}\"}} {}\n", to_string(status), count);
  }

  family(out, "clinic_audit_run_timestamp_seconds", "Unix time at which the last run finished.");
  if (const auto finished = report_output::unix_seconds(report.run.finished_at)) {
    out += fmt::format("clinic_audit_run_timestamp_seconds {}\n", number(*finished));
  }

  family(out, "clinic_audit_run_duration_seconds", "Duration of the last run in seconds.");
  out += fmt::format("clinic_audit_run_duration_seconds {}\n", number(report.run.duration_seconds));

  family(out, "clinic_audit_compliant", "1 when the last run had no fail and no error, else 0.");
  out += fmt::format("clinic_audit_compliant {}\n", report.compliant() ? 1 : 0);
  return out;
}

}  // namespace clinic_audit
