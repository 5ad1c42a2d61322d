#include "openssl_analysis.hpp"
#include "i18n.hpp"

#include <algorithm>

#include "common/command_runner.hpp"
#include "common/root_fs.hpp"

namespace clinic_audit::openssl {

std::string where(const Origin& origin) {
  return origin.line > 0 ? origin.file + ":" + std::to_string(origin.line) : origin.file;
}

Analysis analyze(const RootFs& fs, CommandRunner& runner, const ProbeCommand& probe, const std::string& path,
                 bool ask_live, const std::optional<ProbeCacheSettings>& cache, CacheOutcome* cache_outcome) {
  Analysis a;
  a.config = load_config(fs, path, {}, cache);
  a.settings = extract_ssl_settings(a.config);
  // OPENSSL_init_ssl() ignores a missing file, and -- even with
  // config_diagnostics = 1 -- a file NCONF cannot parse: the library then
  // runs on its compiled-in defaults (verified by the differential tests).
  const bool loads = a.config.exists && !a.config.error;
  std::vector<ProbeMode> modes{ProbeMode::no_config};
  if (loads) modes.push_back(ProbeMode::config_stdin);
  if (ask_live) modes.push_back(ProbeMode::system);
  // One program start for every answer, none when the answers are cached
  // (issue #19 item 5). A command that reads a file makes the answer depend
  // on more than the text: never cached.
  const bool cacheable = std::all_of(a.settings.commands.begin(), a.settings.commands.end(),
                                     [](const SslCommand& c) { return is_cacheable_command(c.name); });
  auto answers = run_probes_cached(runner, probe, modes, loads ? synthesize_ssl_config(a.config) : std::string(), cache,
                                   cacheable, cache_outcome);
  for (std::size_t i = 0; i < (loads ? 2u : 1u); ++i) {
    if (answers[i].failure) throw std::runtime_error(*answers[i].failure);
  }
  a.defaults = std::move(*answers[0].result);
  a.effective = loads ? std::move(*answers[1].result) : a.defaults;
  if (ask_live) {
    if (answers.back().failure) {
      a.live_failure = *answers.back().failure;
    } else {
      a.live = std::move(answers.back().result);
    }
  }
  // SSL_CTX_set_security_level(3): "@SECLEVEL=n" in a cipher string sets the
  // level; without it the library's default stays.
  const SslCommand* cipher = a.settings.command("CipherString");
  bool rejected = false;
  for (const auto& r : a.effective.rejected) rejected = rejected || (cipher != nullptr && r.name == cipher->name);
  if (cipher != nullptr && cipher->value.find("@SECLEVEL=") != std::string::npos && !rejected) {
    a.level_source = "CipherString = " + cipher->value + (cipher->origin ? tr(" at {0}", where(*cipher->origin)) : "");
  } else {
    const char* why = !a.config.exists ? _("no configuration file")
                      : a.config.error ? _("the configuration does not load")
                      : rejected       ? _("the CipherString is rejected")
                                       : _("no @SECLEVEL in the configuration");
    a.level_source = tr("the library's compiled-in default ({0})", why);
  }
  return a;
}

}  // namespace clinic_audit::openssl
