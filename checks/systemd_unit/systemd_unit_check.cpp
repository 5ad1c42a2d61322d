#include "systemd_unit_check.hpp"
#include "i18n.hpp"

#include "common/shell_quote.hpp"

#include "php_handlers.hpp"
#include "common/systemd/systemctl_live.hpp"
#include "common/systemd/unit_resolver.hpp"

namespace clinic_audit {
namespace {

using systemd::Decision;
using systemd::EffectiveSetting;
using systemd::UnitFiles;

std::string unit_stem(const std::string& unit) {
  const auto dot = unit.rfind('.');
  return unit.substr(0, dot);
}

bool is_glob(const std::string& text) { return text.find_first_of("*?") != std::string::npos; }

struct UnitVerdict {
  enum Kind { pass, fail, not_applicable } kind = pass;
  std::string line;  // for the summary
  std::vector<Evidence> evidence;
  std::string remediation;
};

class SystemdUnitCheck final : public Check {
 public:
  explicit SystemdUnitCheck(const Params& params)
      : unit_(params.required("unit")),
        key_(params.required("key")),
        section_(params.get_or("section", "Service")),
        expected_(params.required("expected")),
        boolean_(params.one_of("type", {"boolean", "string"}, "boolean") == "boolean"),
        default_(params.get_or("default", boolean_ ? "false" : "")),
        only_if_serving_php_(params.flag("only_if_serving_php", false)),
        missing_fail_(params.one_of("missing", {"not_applicable", "fail"}, "not_applicable") == "fail") {
    if (unit_.empty() || unit_.find('/') != std::string::npos || unit_.find('.') == std::string::npos) {
      throw ParamError("unit", "parameter 'unit' must be a unit name such as apache2.service, not '" + unit_ + "'");
    }
    if (key_.empty() || key_.find_first_of("=[] \t") != std::string::npos) {
      throw ParamError("key", "parameter 'key' must be a setting name such as PrivateTmp, not '" + key_ + "'");
    }
    if (boolean_) {
      auto e = systemd::parse_systemd_boolean(expected_);
      auto d = systemd::parse_systemd_boolean(default_);
      if (!e) throw ParamError("expected", "parameter 'expected' must be a systemd boolean, not '" + expected_ + "'");
      if (!d) throw ParamError("default", "parameter 'default' must be a systemd boolean, not '" + default_ + "'");
      expected_bool_ = *e;
      default_bool_ = *d;
    }
  }

  Outcome run(const Context& context) const override {
    const RootFs& fs = context.fs();
    std::vector<std::string> units = is_glob(unit_) ? systemd::find_units(fs, unit_) : std::vector<std::string>{unit_};
    std::optional<systemd::PhpHandlers> php;
    if (only_if_serving_php_) php = systemd::detect_php_handlers(fs);

    const bool live = context.live();
    const bool systemd_running = live && systemd::systemd_is_running(fs);

    std::vector<UnitVerdict> verdicts;
    for (const auto& unit : units) {
      if (php) {
        std::string why;
        if (!php->serves_php(unit, &why)) {
          verdicts.push_back({UnitVerdict::not_applicable, unit + ": " + why, {}, {}});
          continue;
        }
      }
      verdicts.push_back(judge(context, unit, systemd_running));
    }

    std::string summary;
    std::vector<Evidence> evidence;
    std::string remediation;
    bool any_fail = false, any_judged = false;
    for (auto& v : verdicts) {
      if (!summary.empty()) summary += "; ";
      summary += v.line;
      any_fail = any_fail || v.kind == UnitVerdict::fail;
      any_judged = any_judged || v.kind != UnitVerdict::not_applicable;
      for (auto& e : v.evidence) evidence.push_back(std::move(e));
      if (!v.remediation.empty()) remediation += (remediation.empty() ? "" : "\n") + v.remediation;
    }
    if (units.empty()) summary = tr("no unit matches {0}", unit_);
    if (live && !systemd_running) {
      summary += _(" (systemd is not PID 1 here: judged from the unit files only)");
    }
    Outcome outcome;
    if (any_fail) {
      outcome = Outcome::fail(summary, std::move(evidence));
    } else if (!any_judged) {
      if (units.empty() && missing_fail_) {
        outcome = Outcome::fail(summary, {{"", std::nullopt, _("no such unit"), tr("{0} installed", unit_)}});
      } else {
        outcome = Outcome::not_applicable(summary, std::move(evidence));
      }
    } else {
      outcome = Outcome::pass(summary, std::move(evidence));
    }
    // One command a line (issue #17 item 2: commands apart from prose).
    for (std::size_t start = 0; start < remediation.size();) {
      const std::size_t end = std::min(remediation.find('\n', start), remediation.size());
      if (end > start) outcome.remediation_commands.push_back(remediation.substr(start, end - start));
      start = end + 1;
    }
    return outcome;
  }

 private:
  std::string shown(const std::string& value) const { return key_ + "=" + value; }

  UnitVerdict judge(const Context& context, const std::string& unit, bool systemd_running) const {
    const RootFs& fs = context.fs();
    const UnitFiles files = systemd::locate_unit(fs, unit);
    UnitVerdict verdict;
    if (files.masked) {
      verdict.kind = UnitVerdict::not_applicable;
      verdict.line = tr("{0} is masked by {1} and cannot run", unit, files.masked_by);
      verdict.evidence.push_back({files.masked_by, std::nullopt, "masked", _("a loadable unit")});
      return verdict;
    }
    if (files.dangling) {
      // unit-file.c: the first entry of a name decides, even a dangling one.
      verdict.kind = missing_fail_ ? UnitVerdict::fail : UnitVerdict::not_applicable;
      verdict.line =
          tr("{0} is not found: {1} is a dangling symlink, and systemd does not fall back to the directories "
             "after it",
             unit, *files.dangling);
      verdict.evidence.push_back(
          {*files.dangling, std::nullopt, _("dangling symlink: unit not found"), tr("{0} installed", unit)});
      return verdict;
    }
    if (!files.fragment) {
      verdict.kind = missing_fail_ ? UnitVerdict::fail : UnitVerdict::not_applicable;
      verdict.line = tr("{0} is not installed (no unit file in the search path)", unit);
      if (missing_fail_) verdict.evidence.push_back({"", std::nullopt, _("no such unit"), tr("{0} installed", unit)});
      return verdict;
    }
    const EffectiveSetting setting = systemd::effective_setting(fs, files, section_, key_, boolean_);
    if (setting.load_failure) {
      // load-fragment.c: "Unit configuration has fatal error, unit will not
      // be started"; systemctl shows it as bad-setting (or error).
      verdict.kind = UnitVerdict::fail;
      verdict.line = tr("{0} fails to load: {1} at {2}:{3}; systemd will not start it", unit, setting.load_failure->raw,
                        setting.load_failure->path, setting.load_failure->line);
      verdict.evidence.push_back({setting.load_failure->path, setting.load_failure->line,
                                  tr("{0} (fatal: the unit does not load)", setting.load_failure->raw),
                                  tr("a unit file systemd loads, with {0}", shown(expected_))});
      return verdict;
    }
    std::optional<Decision> decided = setting.decided_by;
    std::string value = decided && !setting.value.empty() ? setting.value : default_;
    std::string how = decided ? "" : _(" (never set: systemd's default)");

    // systemd.exec(5): DynamicUser=yes implies PrivateTmp=yes, whatever PrivateTmp= says.
    if (section_ == "Service" && key_ == "PrivateTmp") {
      const EffectiveSetting dynamic = systemd::effective_setting(fs, files, "Service", "DynamicUser", true);
      if (dynamic.decided_by && systemd::parse_systemd_boolean(dynamic.value).value_or(false)) {
        decided = dynamic.decided_by;
        value = "yes";
        how = tr(" (implied by DynamicUser={0})", dynamic.value);
      }
    }

    bool ok;
    bool file_bool = false;
    if (boolean_) {
      file_bool = systemd::parse_systemd_boolean(value).value_or(default_bool_);
      ok = file_bool == expected_bool_;
    } else {
      ok = value == expected_;
    }
    const std::string where = decided ? decided->path : *files.fragment;
    const std::optional<int> line = decided ? std::optional<int>(decided->line) : std::nullopt;
    verdict.evidence.push_back({where, line, shown(value) + how, shown(expected_)});
    for (const auto& ignored : setting.ignored) {
      verdict.evidence.push_back({ignored.path, ignored.line,
                                  tr("{0} (not a boolean: systemd ignores this line)", shown(ignored.raw)),
                                  shown(expected_)});
    }
    // Issue #21 item 9: every competing line and why it lost.
    for (const auto& lost : setting.overridden) {
      const Decision& winner = *setting.decided_by;
      verdict.evidence.push_back(
          {lost.path, lost.line,
           lost.path == winner.path
               ? tr("{0} (overridden by {1}:{2}, later in the same file)", shown(lost.raw), winner.path, winner.line)
               : tr("{0} (overridden by {1}:{2}, applied after it: drop-ins apply after the unit file, in file-name "
                    "order)",
                    shown(lost.raw), winner.path, winner.line),
           ""});
    }
    for (const auto& skipped : setting.skipped) {
      std::string why = _("after a line that stops systemd's parser");
      for (const auto& issue : setting.issues) {
        if (issue.rfind(skipped.path + ":", 0) == 0 && issue.find("skips the rest") != std::string::npos) why = issue;
      }
      verdict.evidence.push_back(
          {skipped.path, skipped.line, tr("{0} (never read: {1})", shown(skipped.raw), why), ""});
    }
    if (!ok) {
      verdict.kind = UnitVerdict::fail;
      verdict.line = tr("{0}: {1}{2} at {3}, expected {4}", unit, shown(value), how,
                        where + (line ? ":" + std::to_string(*line) : ""), shown(expected_));
      verdict.remediation = remediation_for(unit, decided);
      return verdict;
    }
    verdict.line = unit + ": " + shown(value) + how;
    if (systemd_running && boolean_) {
      const auto show =
          systemd::systemctl_show(context.commands(), unit, {key_, "NeedDaemonReload", "FragmentPath", "DropInPaths"});
      if (!show.error.empty()) {
        verdict.line += tr(" (systemctl show failed: {0})", show.error);
      } else {
        const auto live = systemd::judge_live_boolean(show.properties, key_, file_bool);
        verdict.evidence.push_back({"", std::nullopt, live.observed, _("running unit matches its files")});
        if (live.stale) {
          verdict.kind = UnitVerdict::fail;
          verdict.line =
              tr("{0}: the files say {1} but the running unit does not ({2}): run systemctl daemon-reload && "
                 "systemctl restart {3}",
                 unit, shown(value), live.observed, unit_stem(unit));
          verdict.remediation = "systemctl daemon-reload\nsystemctl restart " + shell_word(unit);
        }
      }
    }
    return verdict;
  }

  // An administrator's file that decided: change that line. The vendor file:
  // add a drop-in in /etc (survives package upgrades, unlike editing /lib).
  // Commands, one a line: the administrator's line is rewritten in place
  // (--follow-symlinks: a linked unit file is edited, not replaced); a vendor
  // setting gets a drop-in. Values come from the host: quoted.
  std::string remediation_for(const std::string& unit, const std::optional<Decision>& decided) const {
    const std::string restart = "systemctl daemon-reload\nsystemctl restart " + shell_word(unit);
    if (decided && decided->path.rfind("/etc/", 0) == 0) {
      return "sed -i --follow-symlinks " +
             shell_quote(std::to_string(decided->line) + "s/.*/" + shown(expected_) + "/") + " " +
             shell_word(decided->path) + "\n" + restart;
    }
    const std::string dir = "/etc/systemd/system/" + unit + ".d";
    return "mkdir -p " + shell_word(dir) + "\nprintf " +
           shell_quote("[" + section_ + "]\\n" + shown(expected_) + "\\n") + " > " +
           shell_word(dir + "/zz-clinic-audit.conf") + "\n" + restart;
  }

  std::string unit_;
  std::string key_;
  std::string section_;
  std::string expected_;
  bool boolean_;
  std::string default_;
  bool only_if_serving_php_;
  bool missing_fail_;
  bool expected_bool_ = false;
  bool default_bool_ = false;
};

}  // namespace

CheckType systemd_unit_check_type() {
  return {"systemd_unit",
          N_("effective value of a unit setting (search path, drop-ins, masking) and of the running unit"), false,
          [](const Params& params) { return std::make_unique<SystemdUnitCheck>(params); }};
}

}  // namespace clinic_audit
