#include "browser_check.hpp"
#include "i18n.hpp"

#include <map>

#include "chromium_policy.hpp"
#include "chromium_remediation.hpp"
#include "firefox_policy.hpp"
#include "inventory.hpp"
#include "version.hpp"

namespace clinic_audit {
namespace {

using namespace browser;

struct Verdict {
  std::string label;  // "Chromium 156.0 (deb chromium)"
  enum { capable, degraded, incapable, unknown } state = capable;
  std::vector<std::string> reasons;
  std::vector<Evidence> evidence;
  std::vector<std::string> fixes;
  std::vector<std::string> commands;
};

class BrowserCheck final : public Check {
 public:
  explicit BrowserCheck(const Params& params)
      : chromium_based_as_(params.get_or("chromium_based_as", "chrome")),
        not_listed_(params.all("not_listed")),
        origins_(params.all("origin")),
        accept_degraded_(params.flag("accept_degraded", false)) {
    for (const auto& entry : params.all("min_version")) {
      const auto space = entry.find(' ');
      const auto version = space == std::string::npos ? std::nullopt : numeric_version(entry.substr(space + 1));
      if (!version)
        throw ParamError("min_version",
                         "min_version must be 'COLUMN VERSION' such as 'chrome 45', not '" + entry + "'");
      min_versions_[entry.substr(0, space)] = *version;
    }
    if (min_versions_.empty())
      throw ParamError("min_version", "at least one min_version (the seed's matrix) is required");
    if (origins_.empty())
      throw ParamError("origin", "at least one origin (https://host of the consultation) is required");
    for (const auto& origin : origins_) {
      if (origin.rfind("https://", 0) != 0 && origin.rfind("http://", 0) != 0)
        throw ParamError("origin", "origin must start with https:// or http://, not '" + origin + "'");
    }
  }

  Outcome run(const Context& context) const override {
    const auto browsers = find_browsers(context.fs());
    std::vector<Verdict> verdicts;
    for (const auto& b : browsers) verdicts.push_back(judge(context, b));
    std::vector<std::string> capable, others;
    std::vector<Evidence> evidence;
    std::vector<std::string> fixes;
    bool any_unknown = false;
    for (const auto& v : verdicts) {
      const bool ok = v.state == Verdict::capable || (v.state == Verdict::degraded && accept_degraded_);
      std::string line = v.label;
      if (!v.reasons.empty()) {
        line += ": ";
        for (std::size_t i = 0; i < v.reasons.size(); ++i) line += (i ? "; " : "") + v.reasons[i];
      }
      (ok ? capable : others).push_back(line);
      any_unknown = any_unknown || v.state == Verdict::unknown;
      evidence.insert(evidence.end(), v.evidence.begin(), v.evidence.end());
      fixes.insert(fixes.end(), v.fixes.begin(), v.fixes.end());
    }
    auto join = [](const std::vector<std::string>& items) {
      std::string out;
      for (const auto& i : items) out += (out.empty() ? "" : " | ") + i;
      return out;
    };
    if (!capable.empty()) {
      std::string summary = tr("capable for e-KerMed: {0}", join(capable));
      if (!others.empty()) summary += tr("; not capable: {0}", join(others));
      return Outcome::pass(summary, std::move(evidence));
    }
    if (browsers.empty()) {
      Outcome o = Outcome::fail(_("no browser installed (deb, snap, flatpak or /opt tarball)"),
                                {{"/var/lib/dpkg/status", std::nullopt, _("no browser package"),
                                  _("a browser of the seed's matrix")}});
      o.remediation = _("Install a browser of the e-KerMed matrix, e.g. Debian's firefox-esr or chromium.");
      return o;
    }
    Outcome o =
        any_unknown
            ? Outcome::error(tr("no browser known to be capable, and some could not be judged: {0}", join(others)),
                             std::move(evidence))
            : Outcome::fail(tr("no browser can hold an e-KerMed consultation: {0}", join(others)), std::move(evidence));
    for (const auto& f : fixes) o.remediation += (o.remediation.empty() ? "" : "\n") + f;
    for (const auto& v : verdicts)
      o.remediation_commands.insert(o.remediation_commands.end(), v.commands.begin(), v.commands.end());
    return o;
  }

 private:
  Verdict judge(const Context& context, const InstalledBrowser& b) const {
    Verdict v;
    v.label = b.product.display + (b.version.empty() ? "" : " " + b.version) + " (" + b.source +
              (b.package.empty() ? "" : " " + b.package) + ")";
    Evidence found{b.path, b.line,
                   tr("{0} {1} from {2}{3}", b.product.display, b.version.empty() ? "?" : b.version, b.source,
                      b.package.empty() ? "" : " " + b.package),
                   ""};
    if (!b.error.empty()) {
      v.state = Verdict::unknown;
      v.reasons.push_back(tr("could not be judged: {0}", b.error));
      found.observed += ": " + b.error;
      found.expected = _("a readable version");
      v.evidence.push_back(found);
      return v;
    }
    // The matrix (seed 000 annex 1, Linux row).
    std::string column = b.product.id;
    bool listed = std::find(not_listed_.begin(), not_listed_.end(), column) == not_listed_.end();
    if (listed && !min_versions_.count(column) && b.product.chromium_based) column = chromium_based_as_;
    const auto minimum = min_versions_.find(column);
    if (!listed || minimum == min_versions_.end()) {
      v.state = Verdict::incapable;
      v.reasons.push_back(_("not listed by the e-KerMed matrix for Linux"));
      found.expected = _("a browser the matrix lists for Linux");
      v.evidence.push_back(found);
      return v;
    }
    const auto version = numeric_version(b.version);
    found.expected = column + " >= " + to_string(minimum->second);
    v.evidence.push_back(found);
    if (compare_versions(*version, minimum->second) < 0) {
      v.state = Verdict::incapable;
      v.reasons.push_back(tr("version {0} below the matrix minimum {1}", b.version, found.expected));
      v.fixes.push_back(tr("Upgrade {0} ({1} {2}) to {3}.", b.product.display, b.source, b.package, found.expected));
    }
    // Policies and preferences.
    std::vector<Finding> findings;
    bool unreadable = false;
    std::optional<ChromiumFix> fix;  // the Chromium family's command (after the per-line fixes)
    std::string fix_dir;
    if (b.product.id == "firefox" || b.product.id == "firefox-esr") {
      const std::string app = b.source == "deb" ? b.package : "firefox";
      const auto config = load_firefox_config(context.fs(), app, b.install_dir);
      unreadable = config.unreadable;
      findings = judge_firefox_config(config, origins_);
    } else if (const auto dir = chromium_policy_dir(b.product.id, b.source); !dir.empty()) {
      const auto policies = load_chromium_policies(context.fs(), dir);
      unreadable = policies.unreadable;
      findings = judge_chromium_policies(policies, origins_);
      // Firefox gets no command: its policies.json is one file whose blocking
      // entries must be edited in place (no safe one-line JSON edit in sh),
      // and a lockPref in a preference or autoconfig file can only be undone
      // by editing that file: prose only (the fix lines name file and line).
      fix = chromium_fix(dir, policies, origins_);
      fix_dir = dir;
    } else if (b.product.chromium_based) {
      v.evidence.push_back(
          {b.path, b.line,
           tr("{0} reads no enterprise policy file on Linux: no policy can block or impose its camera, microphone or "
              "screen sharing by file, so none is audited",
              b.product.display),
           ""});
    }
    if (b.product.id == "vivaldi") {
      if (auto note = vivaldi_unread_directory(context.fs())) v.evidence.push_back(*note);
    }
    for (const auto& f : findings) {
      v.evidence.push_back(f.evidence);
      if (!f.fix.empty()) v.fixes.push_back(f.fix);
      switch (f.impact) {
        case Impact::breaks_audio_video:
          v.state = Verdict::incapable;
          v.reasons.push_back(tr("audio/video breaks: {0}", f.what));
          break;
        case Impact::breaks_screen_share:
          v.state = Verdict::incapable;
          v.reasons.push_back(tr("screen sharing breaks: {0}", f.what));
          break;
        case Impact::degrades:
          if (v.state == Verdict::capable) v.state = Verdict::degraded;
          v.reasons.push_back(tr("degraded: {0}", f.what));
          break;
        case Impact::ignored: v.reasons.push_back(tr("note: {0} ({1})", f.what, f.evidence.path)); break;
        case Impact::info: break;
      }
    }
    if (fix) {
      v.commands.push_back(fix->command);
      std::string keys;
      for (const auto& k : fix->keys) keys += (keys.empty() ? "" : ", ") + k;
      v.fixes.push_back(
          tr("Or add {0} (the command below): {1} reads the files of {2} in name order and the last one "
             "wins, so this file re-allows the e-KerMed origins in {3}, keeping the entries already there.",
             fix->path, b.product.display, fix_dir + "/managed", keys));
    }
    if (unreadable && v.state != Verdict::incapable) {
      v.state = Verdict::unknown;
      v.reasons.push_back(_("a policy or preference file could not be read"));
    }
    return v;
  }

  std::map<std::string, std::vector<long>> min_versions_;
  std::string chromium_based_as_;
  std::vector<std::string> not_listed_;
  std::vector<std::string> origins_;
  bool accept_degraded_;
};

}  // namespace

CheckType browser_check_type() {
  return {
      "browser",
      N_("installed browsers against the e-KerMed matrix and the policies that block camera, microphone, screen capture or WebRTC"),
      false, [](const Params& params) { return std::make_unique<BrowserCheck>(params); }};
}

}  // namespace clinic_audit
