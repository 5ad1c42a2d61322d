#include "service_check.hpp"
#include "i18n.hpp"

#include "enablement.hpp"
#include "common/shell_quote.hpp"
#include "common/systemd/systemctl_live.hpp"

namespace clinic_audit {
namespace {

class ServiceCheck final : public Check {
 public:
  explicit ServiceCheck(const Params& params)
      : unit_(params.required("unit")),
        want_enabled_(params.flag("enabled", true)),
        want_active_(params.flag("active", true)) {
    if (unit_.empty() || unit_.find('/') != std::string::npos) {
      throw ParamError("unit",
                       "parameter 'unit' must be a unit name such as compagnonApicrypt.service, not '" + unit_ + "'");
    }
    if (unit_.find('.') == std::string::npos) unit_ += ".service";
  }

  Outcome run(const Context& context) const override {
    std::vector<Evidence> evidence;
    std::vector<std::string> problems;
    std::vector<std::string> notes;
    const service::Enablement enablement = service::judge_enablement(context.fs(), unit_);
    if (want_enabled_) {
      evidence.push_back(enablement.evidence);
      // enabled-runtime is lost at the next reboot: not what "enabled" means here.
      if (!enablement.enabled || enablement.state != "enabled") {
        problems.push_back(tr("{0} is {1}, expected enabled", unit_, enablement.state));
      } else {
        notes.push_back(tr("{0} is {1}", unit_, enablement.state));
      }
    }
    if (want_active_) {
      if (!context.live()) {
        notes.push_back(_("activity not judged with --root"));
      } else if (!systemd::systemd_is_running(context.fs())) {
        notes.push_back(_("systemd is not PID 1 here: activity not judged"));
      } else {
        const auto query = systemd::systemctl_is_active(context.commands(), unit_);
        if (!query.error.empty()) throw CheckError("systemctl is-active " + unit_ + ": " + query.error);
        std::string state = query.properties.at("_stdout");
        state = state.substr(0, state.find('\n'));
        evidence.push_back({"", std::nullopt, "systemctl is-active: " + state, "active"});
        if (state != "active") problems.push_back(tr("{0} is {1}, expected active", unit_, state));
        else notes.push_back(_("active"));
      }
    }
    std::string summary;
    for (const auto& p : problems) summary += (summary.empty() ? "" : "; ") + p;
    for (const auto& n : notes) summary += (summary.empty() ? "" : "; ") + n;
    if (problems.empty()) return Outcome::pass(summary, std::move(evidence));
    Outcome outcome = Outcome::fail(summary, std::move(evidence));
    // Commands only for a unit that is installed (issue #17 item 2): enable
    // fails on a unit that does not exist, which must be installed first.
    if (enablement.state == "not-found") {
      outcome.policy_commands_apply = false;
      outcome.remediation = tr("{0} is not installed (no unit file, no SysV script): install the software that ships "
                               "it, then run the audit again.",
                               unit_);
    } else {
      if (enablement.state.rfind("masked", 0) == 0)
        outcome.remediation_commands.push_back("systemctl unmask " + shell_word(unit_));
      outcome.remediation_commands.push_back("systemctl enable --now " + shell_word(unit_));
    }
    return outcome;
  }

 private:
  std::string unit_;
  bool want_enabled_;
  bool want_active_;
};

}  // namespace

CheckType service_check_type() {
  return {"service", N_("a service is enabled (enablement links, SysV rc links) and, live, active"), false,
          [](const Params& params) { return std::make_unique<ServiceCheck>(params); }};
}

}  // namespace clinic_audit
