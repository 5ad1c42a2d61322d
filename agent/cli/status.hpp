// `clinic-audit status`: the newest stored report rendered for a monitoring
// system, without auditing again (issue #15). Run by an unprivileged user of
// the group clinic-audit (the reports directory is 2750 root:clinic-audit).
//
//   status [--format nagios|prometheus|json] [--max-age HOURS]
//          [--reports DIR] [--out FILE] [-t|--timeout SECONDS] [-V|--version]
//
// nagios (default): a Monitoring Plugin (monitoring-plugins.org guidelines):
//   exit 0/1/2 from the report, 3 UNKNOWN when there is no readable report,
//   the newest is older than --max-age, on a usage error or after --timeout.
// prometheus: node_exporter textfile metrics; with --out FILE written
//   atomically (temp file + rename) to that one fixed name, so node_exporter
//   never sees a half file nor a second copy of the series.
// json: {"state", "reason", "report_file", "age_seconds", "report"}.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace clinic_audit {

struct StatusRequest {
  std::string format = "nagios";
  double max_age_hours = 36;  // the daily timer, its random delay and some slack
  std::filesystem::path reports_dir = "/var/lib/clinic-audit/reports";
  std::optional<std::filesystem::path> out;
  unsigned timeout_seconds = 10;
  bool version = false;
  double now = 0;  // Unix time; 0 = the clock (tests set it)
};

// Adds the subcommand to `app`, with its options when `with_options`
// (command_line.hpp: OptionScope).
CLI::App* add_status_subcommand(CLI::App& app, StatusRequest& request, bool with_options);

// True when argv asks for `status` in Nagios form (the default): its usage
// errors then exit 3, as a Monitoring Plugin must.
bool status_usage_is_nagios(int argc, char** argv);
// The UNKNOWN line and exit code 3 for a usage error of `status`.
int status_usage_error(const std::string& message, std::ostream& out);

// Renders; returns the exit code.
int run_status(const StatusRequest& request, std::ostream& out, std::ostream& err);

}  // namespace clinic_audit
