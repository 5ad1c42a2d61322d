#include "exec_check.hpp"
#include "i18n.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>

namespace clinic_audit {
namespace {

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (auto bar = line.find('|'); bar != std::string::npos) line.erase(bar);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.pop_back();
  return line;
}

// "2", "0.75": whole seconds without decimals.
std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", static_cast<double>(ms) / 1000.0);
  return buffer;
}

class ExecCheck final : public Check {
 public:
  explicit ExecCheck(const Params& params)
      : program_(params.required("command")),
        args_(params.all("arg")),
        timeout_(std::chrono::seconds(params.integer("timeout_seconds", 30, 1, 3600))),
        max_output_(static_cast<std::size_t>(params.integer("max_output_bytes", 65536, 1024, 16 << 20))),
        uses_network_(params.flag("network", true)),
        supports_root_(params.flag("supports_root", false)) {
    if (!program_.is_absolute()) {
      throw ParamError("command", "parameter 'command' must be an absolute path (no shell, no PATH search), not '" +
                                      program_.string() + "'");
    }
  }

  Outcome run(const Context& context) const override {
    // A plugin is a program on the auditing machine: it looks at the live
    // host unless it honours CLINIC_AUDIT_ROOT, and it may open sockets.
    // Neither may happen behind --root or --offline's back (DESIGN.md §4).
    if (!context.live() && !supports_root_) {
      return Outcome::skipped(
          tr("{0} inspects the machine it runs on, not the --root image (set supports_root=true for a "
             "plugin that honours CLINIC_AUDIT_ROOT)",
             program_.string()));
    }
    if (context.network().offline && uses_network_) {
      return Outcome::skipped(tr("{0} may use the network and --offline forbids any network operation (set "
                                 "network=false for a plugin that never does)",
                                 program_.string()));
    }
    CommandSpec spec;
    spec.program = program_;
    spec.args = args_;
    spec.timeout = timeout_;
    spec.max_output = max_output_;
    spec.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                {"LANG", "C"},
                {"CLINIC_AUDIT_ROOT", context.fs().root().string()}};
    if (context.network().offline) spec.env["CLINIC_AUDIT_OFFLINE"] = "1";
    const CommandResult result = context.commands().run(spec);
    const std::string program = program_.string();
    if (result.timed_out) {
      // With the check's deadline first, the limit applied is shorter than
      // timeout_seconds: say which one it was.
      const auto applied =
          result.timeout_applied.count() > 0 || result.clamped_to_check ? result.timeout_applied : timeout_;
      return Outcome::error(result.clamped_to_check
                                ? tr("{0} did not finish within {1} s (its check's timeout_seconds ends first) and was "
                                     "killed, with every process it started",
                                     program, seconds_text(applied))
                                : tr("{0} did not finish within {1} s and was killed, with every process it started",
                                     program, seconds_text(applied)));
    }
    if (result.signaled) {
      return Outcome::error(tr("{0} was killed by signal {1} ({2})", program, result.signal, strsignal(result.signal)));
    }
    std::string summary = first_line(result.out);
    if (summary.empty()) summary = first_line(result.err);
    if (summary.empty()) summary = _("(no output)");
    Evidence evidence{program, std::nullopt, "exit " + std::to_string(result.exit_code), "exit 0 (OK)"};
    switch (result.exit_code) {
      case 0: return Outcome::pass(summary, {evidence});
      case 1: evidence.observed += " (WARNING)"; return Outcome::fail(summary, {evidence});
      case 2: evidence.observed += " (CRITICAL)"; return Outcome::fail(summary, {evidence});
      case 3: evidence.observed += " (UNKNOWN)"; return Outcome::error(summary, {evidence});
      default:
        evidence.observed += tr(" (not a Monitoring Plugins status)");
        return Outcome::error(tr("{0} exited {1}: {2}", program, result.exit_code, summary), {evidence});
    }
  }

 private:
  std::filesystem::path program_;
  std::vector<std::string> args_;
  std::chrono::milliseconds timeout_;
  std::size_t max_output_;
  bool uses_network_;
  bool supports_root_;
};

}  // namespace

CheckType exec_check_type() {
  return {"exec", N_("external plugin with Monitoring Plugins exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)"),
          false, [](const Params& params) { return std::make_unique<ExecCheck>(params); }};
}

}  // namespace clinic_audit
