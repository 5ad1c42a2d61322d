#include "php_ini_check.hpp"

#include <algorithm>

#include "common/shell_quote.hpp"
#include "php_ini_sources.hpp"

namespace clinic_audit {
namespace {

using php::IniEntry;

std::string normalized(std::string value) {
  while (value.size() > 1 && value.back() == '/') value.pop_back();
  return value;
}

std::string reload_command(const std::string& version, const std::string& sapi) {
  if (sapi == "fpm") return "systemctl reload php" + version + "-fpm";
  if (sapi == "apache2") return "systemctl reload apache2";
  return {};  // cli reads php.ini at every start
}

// Where one (version, SAPI[, pool]) gets its value.
struct Setting {
  std::string value;
  std::string path;
  int line = 0;
  std::string how;  // "php.ini", "php_admin_value[...] of pool www", ...
  std::vector<std::string> unresolved;
};

class PhpIniCheck final : public Check {
 public:
  explicit PhpIniCheck(const Params& params)
      : directive_(params.required("directive")),
        expected_(params.required("expected")),
        allow_unset_(params.flag("allow_unset", true)),
        sapis_(params.all("sapi")) {
    if (directive_.empty() || directive_.find_first_of("=[]; \t") != std::string::npos) {
      throw ParamError("directive", "parameter 'directive' must be an ini directive name, not '" + directive_ + "'");
    }
    if (sapis_.empty()) sapis_ = {"apache2", "fpm", "cli"};
    for (const auto& s : sapis_) {
      if (s != "apache2" && s != "fpm" && s != "cli" && s != "cgi") {
        throw ParamError("sapi", "parameter 'sapi' must be apache2, fpm, cli or cgi, not '" + s + "'");
      }
    }
  }

  Outcome run(const Context& context) const override {
    const RootFs& fs = context.fs();
    std::vector<Evidence> evidence;
    std::vector<std::string> failures, passes, remediations;
    std::optional<std::vector<php::ApacheOverride>> apache;

    for (const auto& version : php::php_versions(fs)) {
      for (const auto& sapi : sapis_) {
        const auto config = php::load_sapi(fs, version, sapi);
        if (!config) continue;
        const std::string label = "PHP " + version + " " + sapi;
        std::optional<Setting> base;
        std::vector<Setting> conditional;  // [PATH=]/[HOST=] sections, CGI/FastCGI only
        for (const auto& file : config->files) {
          if (file.parsed.error) {
            evidence.push_back({file.path, file.parsed.error->line, "syntax error: " + file.parsed.error->message +
                                " (PHP ignores the rest of this file)", "valid ini syntax"});
          }
          for (const IniEntry& e : file.parsed.entries) {
            if (e.key != directive_ || e.offset) continue;
            Setting s{e.value, file.path, e.line, "", e.unresolved};
            if (e.special_section) {
              s.how = " in [" + *e.special_section + "]";
              conditional.push_back(std::move(s));
            } else {
              base = std::move(s);
            }
          }
        }
        std::vector<std::pair<std::string, std::optional<Setting>>> contexts;  // label, setting
        if (sapi == "fpm") {
          const auto pools = php::load_fpm_pools(fs, version);
          for (const auto& pool : pools.pools) {
            std::optional<Setting> effective = base;
            for (const auto& o : pools.overrides) {
              if (o.pool != pool || o.name != directive_) continue;
              // php_admin_value wins over php_value; among equals the last one.
              if (effective && effective->how.find("php_admin") != std::string::npos &&
                  o.kind.find("php_admin") == std::string::npos) continue;
              effective = Setting{o.value, o.path, o.line, " (" + o.kind + "[" + o.name + "] of pool " + pool + ")", {}};
            }
            contexts.emplace_back(label + " pool " + pool, effective);
          }
          if (pools.pools.empty()) contexts.emplace_back(label, base);
          for (const auto& c : conditional) contexts.emplace_back(label + c.how, c);
        } else {
          std::optional<Setting> effective = base;
          if (sapi == "apache2") {
            if (!apache) apache = php::load_apache_overrides(fs);
            for (const auto& o : *apache) {
              if (o.value.name != directive_) continue;
              effective = Setting{o.value.value, o.path, o.value.line, " (" + o.value.directive + ")", {}};
            }
          }
          if (sapi == "cli") {
            const auto& forced = php::cli_forced_directives();
            if (auto it = forced.find(directive_); it != forced.end()) {
              effective = Setting{it->second, "", 0, " (forced by the CLI SAPI)", {}};
            }
          }
          contexts.emplace_back(label, effective);
          if (sapi == "cgi") {
            for (const auto& c : conditional) contexts.emplace_back(label + c.how, c);
          }
        }
        for (const auto& [where, setting] : contexts) judge(where, setting, version, sapi, evidence, failures, passes,
                                                            remediations);
      }
    }
    if (failures.empty() && passes.empty()) {
      return Outcome::not_applicable("no PHP configuration under /etc/php/*/{" + join(sapis_, ",") + "}/php.ini");
    }
    if (!failures.empty()) {
      Outcome outcome = Outcome::fail(join(failures, "; "), std::move(evidence));
      outcome.remediation_commands = remediations;
      outcome.remediation = "The commands comment out each line the evidence names (in the file itself when the "
                            "path is a symlink) and reload what reads it; the CLI needs no reload.";
      return outcome;
    }
    return Outcome::pass(join(passes, "; "), std::move(evidence));
  }

 private:
  static std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
  }

  void judge(const std::string& where, const std::optional<Setting>& setting, const std::string& version,
             const std::string& sapi, std::vector<Evidence>& evidence, std::vector<std::string>& failures,
             std::vector<std::string>& passes, std::vector<std::string>& remediations) const {
    const std::string shown_expected = directive_ + " = " + expected_ + (allow_unset_ ? " or unset" : "");
    if (!setting || setting->value.empty()) {
      const std::string observed = setting ? "empty at " + setting->path + ":" + std::to_string(setting->line)
                                           : "not set";
      if (allow_unset_) {
        passes.push_back(where + ": " + directive_ + " " + observed);
      } else {
        failures.push_back(where + ": " + directive_ + " " + observed + ", expected " + expected_);
        evidence.push_back({setting ? setting->path : "", setting ? std::optional<int>(setting->line) : std::nullopt,
                            directive_ + " " + observed, shown_expected});
      }
      return;
    }
    std::string observed = directive_ + " = " + setting->value + setting->how;
    if (!setting->unresolved.empty()) {
      observed += " (uses ${" + setting->unresolved.front() + "}, unknown here and empty to PHP unless in its environment)";
    }
    const bool ok = normalized(setting->value) == normalized(expected_);
    evidence.push_back({setting->path, setting->path.empty() ? std::nullopt : std::optional<int>(setting->line), observed,
                        shown_expected});
    if (ok) {
      passes.push_back(where + ": " + directive_ + " = " + setting->value);
      return;
    }
    failures.push_back(where + ": " + observed + " at " + setting->path + ":" + std::to_string(setting->line) +
                       ", expected " + shown_expected);
    // Commented out in place (issue #17 item 2): --follow-symlinks edits the
    // file an a2ensite/a2enconf symlink points to instead of replacing the
    // link with a copy (sed(1)); a line already commented is left alone, so
    // pasting twice changes nothing more.
    const char comment = setting->how.find("php_") != std::string::npos && sapi == "apache2" ? '#' : ';';
    const std::string line = std::to_string(setting->line);
    std::vector<std::string> fixes{"sed -i --follow-symlinks '" + line + "{/^[[:space:]]*[;#]/!s/^/" + comment +
                                   "/}' " + shell_word(setting->path)};
    const std::string reload = reload_command(version, sapi);
    if (!reload.empty()) fixes.push_back(reload);
    for (const auto& fix : fixes) {
      if (std::find(remediations.begin(), remediations.end(), fix) == remediations.end()) remediations.push_back(fix);
    }
  }

  std::string directive_;
  std::string expected_;
  bool allow_unset_;
  std::vector<std::string> sapis_;
};

}  // namespace

CheckType php_ini_check_type() {
  return {"php_ini", "effective php.ini directive per PHP version and SAPI (conf.d, fpm pools, Apache overrides)",
          false, [](const Params& params) { return std::make_unique<PhpIniCheck>(params); }};
}

}  // namespace clinic_audit
