#include "status.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "i18n.hpp"
#include "report/read_json.hpp"
#include "report/render_json.hpp"
#include "report/render_nagios.hpp"
#include "report/render_prometheus.hpp"
#include "report/rfc3339.hpp"
#include "store/atomic_file.hpp"
#include "store/report_files.hpp"
#include "store/signing_error.hpp"
#include "version.hpp"
#include "system_error_text.hpp"

namespace clinic_audit {
namespace {

constexpr int kUnknown = static_cast<int>(NagiosState::unknown);

// What status found: a report to render, or why there is none.
struct Newest {
  std::optional<Report> report;
  std::filesystem::path file;
  std::optional<double> age_seconds;
  std::string unknown_reason;  // set when report is not to be rendered
};

Newest find_newest(const StatusRequest& request, double now) {
  Newest found;
  std::vector<signing::ReportSet> sets;
  try {
    sets = signing::list_report_sets(request.reports_dir);
  } catch (const std::filesystem::filesystem_error& e) {
    found.unknown_reason = tr("cannot read {0}: {1}", request.reports_dir.string(), i18n::error_text(e.code()));
    if (e.code() == std::errc::permission_denied) {
      found.unknown_reason += _(" (run as root or as a member of the group clinic-audit)");
    }
    return found;
  }
  for (auto it = sets.rbegin(); it != sets.rend() && found.file.empty(); ++it) {
    for (const auto& file : it->reports) {
      if (file.extension() == ".json") found.file = file;
    }
  }
  if (found.file.empty()) {
    found.unknown_reason = tr("no JSON report in {0}", request.reports_dir.string());
    return found;
  }
  // The newest report decides: a broken one is UNKNOWN, never an older one shown instead.
  try {
    const std::string bytes = signing::read_file(found.file);
    Report report = read_json_report(bytes, found.file.string());
    const auto finished = report_output::unix_seconds(report.run.finished_at);
    if (!finished) {
      found.unknown_reason =
          tr("{0}: run.finished_at '{1}' is not an RFC 3339 time", found.file.string(), report.run.finished_at);
      return found;
    }
    found.age_seconds = now - *finished;
    if (*found.age_seconds > request.max_age_hours * 3600) {
      found.unknown_reason = tr("newest report {0} is {1:.1f} h old (--max-age {2} h): the audit has not run",
                                found.file.filename().string(), *found.age_seconds / 3600, request.max_age_hours);
      return found;
    }
    found.report = std::move(report);
  } catch (const std::exception& e) {
    found.unknown_reason = i18n::exception_text(e);
  }
  return found;
}

std::string one_line(std::string text) {
  for (auto& c : text) {
    if (c == '\n' || c == '\r' || c == '|') c = ' ';
  }
  return text;
}

std::string render_prometheus_status(const Newest& found) {
  std::string out = found.report ? render_prometheus(*found.report) : std::string();
  out +=
      "# HELP clinic_audit_report_fresh 1 when the newest stored report is younger than --max-age and readable, else 0.\n"
      "# TYPE clinic_audit_report_fresh gauge\n";
  out += fmt::format("clinic_audit_report_fresh {}\n", found.report ? 1 : 0);
  if (found.age_seconds) {
    out += "# HELP clinic_audit_report_age_seconds Age of the newest stored report.\n"
           "# TYPE clinic_audit_report_age_seconds gauge\n";
    out += fmt::format("clinic_audit_report_age_seconds {}\n", *found.age_seconds);
  }
  return out;
}

std::string render_json_status(const Newest& found) {
  nlohmann::ordered_json out;
  const auto state = found.report ? nagios_state(*found.report) : NagiosState::unknown;
  constexpr const char* kNames[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  out["state"] = kNames[static_cast<int>(state)];
  out["reason"] = found.report ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(found.unknown_reason);
  out["report_file"] =
      found.file.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(found.file.string());
  out["age_seconds"] = found.age_seconds ? nlohmann::ordered_json(*found.age_seconds) : nlohmann::ordered_json(nullptr);
  out["report"] =
      found.report ? nlohmann::ordered_json::parse(render_json(*found.report)) : nlohmann::ordered_json(nullptr);
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// -t/--timeout: a plugin that hangs is worse than one that says UNKNOWN.
// Only async-signal-safe calls in the handler.
char g_timeout_message[160];
std::size_t g_timeout_length = 0;

extern "C" void on_status_timeout(int) {
  [[maybe_unused]] const auto written = ::write(STDOUT_FILENO, g_timeout_message, g_timeout_length);
  ::_exit(kUnknown);
}

void arm_timeout(unsigned seconds) {
  if (seconds == 0) return;
  const std::string message = fmt::format("CLINIC-AUDIT UNKNOWN - status timed out after {} s\n", seconds);
  g_timeout_length = std::min(message.size(), sizeof g_timeout_message);
  std::memcpy(g_timeout_message, message.data(), g_timeout_length);
  struct sigaction action {};
  action.sa_handler = on_status_timeout;
  ::sigaction(SIGALRM, &action, nullptr);
  ::alarm(seconds);
}

}  // namespace

CLI::App* add_status_subcommand(CLI::App& app, StatusRequest& request, bool with_options) {
  auto* cmd = app.add_subcommand("status", _("Render the newest stored report for monitoring, without auditing again"));
  if (!with_options) return cmd;
  cmd->add_option("--format", request.format, _("nagios (default), prometheus or json"))
      ->check(CLI::IsMember({"nagios", "prometheus", "json"}));
  cmd->add_option("--max-age", request.max_age_hours, _("Refuse (UNKNOWN) a report older than HOURS (default 36)"))
      ->check(CLI::PositiveNumber);
  cmd->add_option("--reports", request.reports_dir, _("Reports directory (default /var/lib/clinic-audit/reports)"));
  cmd->add_option("--out", request.out, _("Write atomically to FILE (e.g. node_exporter's textfile directory)"));
  cmd->add_option("-t,--timeout", request.timeout_seconds, _("Give up, UNKNOWN, after SECONDS (default 10, 0: never)"))
      ->check(CLI::Range(0u, 86400u));
  cmd->add_flag("-V,--version", request.version, _("Print the version"));
  return cmd;
}

bool status_usage_is_nagios(int argc, char** argv) {
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "status") break;
    if (!arg.starts_with("-")) return false;  // another subcommand
  }
  if (i == argc) return false;
  for (++i; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string_view value;
    if (arg == "--format" && i + 1 < argc) value = argv[i + 1];
    if (arg.starts_with("--format=")) value = arg.substr(9);
    if (value == "json" || value == "prometheus") return false;
  }
  return true;
}

int status_usage_error(const std::string& message, std::ostream& out) {
  out << "CLINIC-AUDIT UNKNOWN - usage: " << one_line(message) << " (see clinic-audit status --help)\n";
  return kUnknown;
}

int run_status(const StatusRequest& request, std::ostream& out, std::ostream& err) {
  if (request.version) {
    out << "clinic-audit status " << kAgentVersion << '\n';
    return 0;
  }
  arm_timeout(request.timeout_seconds);
  const double now = request.now != 0
                         ? request.now
                         : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const Newest found = find_newest(request, now);

  std::string text;
  int code = kUnknown;
  if (request.format == "prometheus") {
    text = render_prometheus_status(found);
    code = found.report ? 0 : kUnknown;
  } else if (request.format == "json") {
    text = render_json_status(found);
    code = found.report ? nagios_exit_code(*found.report) : kUnknown;
  } else if (found.report) {
    text = render_nagios(*found.report);
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += fmt::format("report: {} ({:.1f} h old)\n", found.file.string(), found.age_seconds.value_or(0) / 3600);
    code = nagios_exit_code(*found.report);
  } else {
    text = "CLINIC-AUDIT UNKNOWN - " + one_line(found.unknown_reason) + "\n";
  }
  if (!found.report && request.format != "nagios") err << "clinic-audit: status: " << found.unknown_reason << '\n';

  if (request.out) {
    try {
      signing::write_file_atomically(*request.out, text, 0644);
    } catch (const signing::SigningError& e) {
      err << "clinic-audit: status: " << e.what() << '\n';
      ::alarm(0);
      return request.format == "nagios" ? kUnknown : e.exit_code();
    }
  } else {
    out << text;
    out.flush();
  }
  ::alarm(0);
  return code;
}

}  // namespace clinic_audit
