#include "php_ini_check.hpp"
#include "i18n.hpp"

#include <algorithm>

#include "common/check.hpp"
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
  std::vector<std::string> build_constants;  // PHP_VERSION... (value depends on the PHP build)
};

std::string at_line(const std::string& path, int line) { return path + ":" + std::to_string(line); }

// A `key[] = v` or `key[x] = v` line turns the directive into an array in
// PHP's configuration hash; when PHP then registers the directive, which is
// a string, it cannot use it: php-cli 8.2 exits with "Out of memory" or a
// segmentation fault (tested: PhpIniCheck.ArrayFormOfScalarDirectiveIsError).
// A later plain `key = v` replaces the array (php_ini.c
// php_ini_parser_cb: ZEND_INI_PARSER_ENTRY updates the hash entry).
struct ArrayForm {
  std::string path;
  int line = 0;
};

// php_get_temporary_directory() (main/php_open_temporary_file.c): a
// sys_temp_dir of "/" (or empty) is ignored and PHP falls back to $TMPDIR,
// then /tmp; one trailing '/' is dropped.
bool php_ignores_temp_dir(const std::string& directive, const std::string& value) {
  return directive == "sys_temp_dir" && !value.empty() && php::php_temporary_directory(value, "") == "/tmp" &&
         value.find_first_not_of('/') == std::string::npos;
}

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
        std::optional<ArrayForm> array_form;
        std::vector<Setting> conditional;  // [PATH=]/[HOST=] sections, CGI/FastCGI only
        for (const auto& file : config->files) {
          if (file.parsed.limit) {
            // Never judge from a part of the configuration (issue #20).
            throw CheckError(file.path + ":" + std::to_string(file.parsed.limit->line) + ": " +
                                 file.parsed.limit->message,
                             file.path, file.parsed.limit->line);
          }
          if (file.parsed.error) {
            evidence.push_back({file.path, file.parsed.error->line,
                                tr("syntax error: {0} (PHP ignores the rest of this file)", file.parsed.error->message),
                                _("valid ini syntax")});
          }
          for (const IniEntry& e : file.parsed.entries) {
            if (e.key != directive_) continue;
            if (e.offset) {
              if (!e.special_section) array_form = ArrayForm{file.path, e.line};
              continue;
            }
            Setting s{e.value, file.path, e.line, "", e.unresolved, e.unknown_constants};
            if (e.special_section) {
              s.how = " in [" + *e.special_section + "]";
              conditional.push_back(std::move(s));
            } else {
              // Item 9 of issue #21: say which line lost and why.
              if (base) {
                evidence.push_back({base->path, base->line,
                                    file.path == base->path
                                        ? tr("{0} = {1} (overridden: {2} comes later in the same file)", directive_,
                                             base->value, at_line(file.path, e.line))
                                        : tr("{0} = {1} (overridden: {2} is read after it, PHP's order being php.ini "
                                             "then conf.d/*.ini by name)",
                                             directive_, base->value, at_line(file.path, e.line)),
                                    ""});
              }
              array_form.reset();
              base = std::move(s);
            }
          }
        }
        if (array_form) {
          throw CheckError(tr("{0}: {1}[...] at {2} makes the scalar directive {1} an array: PHP cannot start with it "
                              "(php-cli 8.2 exits with \"Out of memory\")",
                              label, directive_, at_line(array_form->path, array_form->line)),
                           array_form->path, array_form->line);
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
                  o.kind.find("php_admin") == std::string::npos) {
                evidence.push_back({o.path, o.line,
                                    o.kind + "[" + o.name + "] = " + o.value +
                                        " (ignored: " + effective->how.substr(2, effective->how.size() - 3) + " at " +
                                        at_line(effective->path, effective->line) + " cannot be changed by php_value)",
                                    ""});
                continue;
              }
              if (effective) lost_to(*effective, o.path, o.line, o.kind + "[" + o.name + "] of pool " + pool, evidence);
              effective =
                  Setting{o.value, o.path, o.line, " (" + o.kind + "[" + o.name + "] of pool " + pool + ")", {}, {}};
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
              if (effective) lost_to(*effective, o.path, o.value.line, "Apache's " + o.value.directive, evidence);
              effective = Setting{o.value.value, o.path, o.value.line, " (" + o.value.directive + ")", {}, {}};
            }
          }
          if (sapi == "cli") {
            const auto& forced = php::cli_forced_directives();
            if (auto it = forced.find(directive_); it != forced.end()) {
              if (effective) {
                evidence.push_back({effective->path, effective->line,
                                    directive_ + " = " + effective->value + " (ignored: the CLI SAPI forces " +
                                        directive_ + " = " + it->second + ", sapi/cli/php_cli.c INI_DEFAULT)",
                                    ""});
              }
              effective = Setting{it->second, "", 0, " (forced by the CLI SAPI)", {}, {}};
            }
          }
          contexts.emplace_back(label, effective);
          if (sapi == "cgi") {
            for (const auto& c : conditional) contexts.emplace_back(label + c.how, c);
          }
        }
        for (const auto& [where, setting] : contexts)
          judge(where, setting, version, sapi, evidence, failures, passes, remediations);
      }
    }
    if (failures.empty() && passes.empty()) {
      return Outcome::not_applicable(tr("no PHP configuration under /etc/php/*/{{{0}}}/php.ini", join(sapis_, ",")));
    }
    if (!failures.empty()) {
      Outcome outcome = Outcome::fail(join(failures, "; "), std::move(evidence));
      outcome.remediation_commands = remediations;
      outcome.remediation = _("The commands comment out each line the evidence names (in the file itself when the "
                              "path is a symlink) and reload what reads it; the CLI needs no reload.");
      return outcome;
    }
    return Outcome::pass(join(passes, "; "), std::move(evidence));
  }

 private:
  void lost_to(const Setting& loser, const std::string& path, int line, const std::string& what,
               std::vector<Evidence>& evidence) const {
    if (loser.path.empty()) return;
    evidence.push_back({loser.path, loser.line,
                        tr("{0} = {1} (overridden by {2} at {3}, applied after the ini files)", directive_, loser.value,
                           what, at_line(path, line)),
                        ""});
  }

  static std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
  }

  void judge(const std::string& where, const std::optional<Setting>& setting, const std::string& version,
             const std::string& sapi, std::vector<Evidence>& evidence, std::vector<std::string>& failures,
             std::vector<std::string>& passes, std::vector<std::string>& remediations) const {
    const std::string shown_expected =
        allow_unset_ ? tr("{0} = {1} or unset", directive_, expected_) : directive_ + " = " + expected_;
    const bool ignored = setting && php_ignores_temp_dir(directive_, setting->value);
    if (!setting || setting->value.empty() || ignored) {
      const std::string observed =
          !setting ? std::string(_("not set"))
          : ignored
              ? tr("= {0} at {1}, which PHP ignores (php_get_temporary_directory(): it falls back to $TMPDIR, then "
                   "/tmp)",
                   setting->value, at_line(setting->path, setting->line))
              : tr("empty at {0}", at_line(setting->path, setting->line));
      if (setting && allow_unset_) {
        evidence.push_back({setting->path, setting->line, directive_ + " " + observed, shown_expected});
      }
      if (allow_unset_) {
        passes.push_back(where + ": " + directive_ + " " + observed);
      } else {
        failures.push_back(tr("{0}: {1} {2}, expected {3}", where, directive_, observed, expected_));
        evidence.push_back({setting ? setting->path : "", setting ? std::optional<int>(setting->line) : std::nullopt,
                            directive_ + " " + observed, shown_expected});
      }
      return;
    }
    std::string observed = directive_ + " = " + setting->value + setting->how;
    if (!setting->unresolved.empty()) {
      observed +=
          tr(" (uses ${{{0}}}, unknown here and empty to PHP unless in its environment)", setting->unresolved.front());
    }
    if (!setting->build_constants.empty()) {
      observed +=
          tr(" (uses the constant {0}, whose value depends on the installed PHP build: not known from its files)",
             setting->build_constants.front());
    }
    // PHP reads sys_temp_dir as a C string: a NUL byte ends it.
    const std::string used =
        directive_ == "sys_temp_dir" ? setting->value.substr(0, setting->value.find('\0')) : setting->value;
    const bool ok = normalized(used) == normalized(expected_);
    evidence.push_back({setting->path, setting->path.empty() ? std::nullopt : std::optional<int>(setting->line),
                        observed, shown_expected});
    if (ok) {
      passes.push_back(where + ": " + directive_ + " = " + setting->value);
      return;
    }
    failures.push_back(
        tr("{0}: {1} at {2}:{3}, expected {4}", where, observed, setting->path, setting->line, shown_expected));
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
  return {"php_ini", N_("effective php.ini directive per PHP version and SAPI (conf.d, fpm pools, Apache overrides)"),
          false, [](const Params& params) { return std::make_unique<PhpIniCheck>(params); }};
}

}  // namespace clinic_audit
