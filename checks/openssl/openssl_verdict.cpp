#include "openssl_verdict.hpp"
#include "i18n.hpp"

#include <strings.h>

#include <algorithm>

namespace clinic_audit::openssl {
namespace {

std::optional<int> line_of(const Origin& origin) {
  return origin.line > 0 ? std::optional<int>(origin.line) : std::nullopt;
}

Evidence at(const std::optional<Origin>& origin, const std::string& fallback, std::string observed,
            std::string expected) {
  if (origin) return {origin->file, line_of(*origin), std::move(observed), std::move(expected)};
  return {fallback, std::nullopt, std::move(observed), std::move(expected)};
}

std::string describe(const ProbeResult& p) {
  if (!p.ctx_ok) return tr("no SSL_CTX can be created ({0})", p.error);
  return tr("security level {0}, minimum protocol {1}, {2} TLS<=1.2 ciphers, {3} TLS 1.3 suites", p.security_level,
            protocol_name(p.min_proto), p.tls12_ciphers, p.tls13_ciphers);
}

std::string range(const LevelLimits& l) {
  return l.min_level == l.max_level ? tr("security level {0}", l.min_level)
                                    : tr("security level {0} to {1}", std::max(1, l.min_level), l.max_level);
}

bool differs(const ProbeResult& a, const ProbeResult& b) {
  return a.ctx_ok != b.ctx_ok || a.security_level != b.security_level || a.min_proto != b.min_proto ||
         (a.tls12_ciphers == 0) != (b.tls12_ciphers == 0);
}

}  // namespace

bool claims_no_effect(const RejectedCommand& rejected) {
  std::string_view bare = rejected.name;
  if (auto dot = bare.find('.'); dot != std::string_view::npos) bare.remove_prefix(dot + 1);
  return rejected.error == "unknown command" || bare.size() != 12 || strncasecmp(bare.data(), "CipherString", 12) != 0;
}

std::string remediation(const Analysis& a, int level) {
  const SslSettings& s = a.settings;
  const std::string file = a.config.resolved_path.empty() ? a.config.path : a.config.resolved_path;
  const std::string cipher = "CipherString = DEFAULT@SECLEVEL=" + std::to_string(level);
  if (s.has_system_default) {
    std::string where_sd = s.system_default_origin ? s.system_default_origin->file : file;
    const SslCommand* cmd = s.command("CipherString");
    std::string text = tr("In [{0}] of {1} (config(5), SSL_CTX_set_security_level(3)), ", s.system_default, where_sd);
    text += cmd != nullptr && cmd->origin
                ? tr("replace line {0} of {1} by:", cmd->origin->line, cmd->origin->file) + "\n"
                : std::string(_("add:")) + "\n";
    text += "  " + cipher;
    // Keep an existing MinProtocol; suggest one where there is none.
    return s.command("MinProtocol") != nullptr ? text : text + "\n" + _("and add:") + "\n  MinProtocol = TLSv1.2";
  }
  std::string text = tr("In {0} (config(5)):", file) + "\n";
  if (s.openssl_conf.empty()) {
    text += std::string("  # ") + _("in the default section, before the first [section]:") +
            "\n  openssl_conf = openssl_init\n";
  }
  const std::string init = s.openssl_conf.empty() ? "openssl_init" : s.openssl_conf;
  const std::string ssl = s.ssl_conf.empty() ? "ssl_sect" : s.ssl_conf;
  const std::string sd = s.system_default.empty() ? "system_default_sect" : s.system_default;
  if (s.ssl_conf.empty()) text += "  [" + init + "]\n  ssl_conf = " + ssl + "\n";
  if (s.system_default.empty()) text += "  [" + ssl + "]\n  system_default = " + sd + "\n";
  return text + "  [" + sd + "]\n  " + cipher + "\n  MinProtocol = TLSv1.2";
}

Outcome judge(const Analysis& a, const std::optional<ProbeResult>& live, const LevelLimits& limits) {
  std::vector<Evidence> ev;
  const std::string& file = a.config.resolved_path.empty() ? a.config.path : a.config.resolved_path;
  const std::string wanted = range(limits);
  if (!a.config.exists) ev.push_back({file, std::nullopt, _("absent: OpenSSL runs on its compiled-in defaults"), ""});
  for (const auto& note : a.config.notes) {
    ev.push_back({note.origin.file, line_of(note.origin), ".include " + note.path + ": " + note.note, ""});
  }
  if (a.config.error) {
    ev.push_back({a.config.error->origin.file, line_of(a.config.error->origin),
                  tr("OpenSSL cannot load the configuration: {0}", a.config.error->message),
                  _("a configuration OpenSSL loads")});
  } else if (a.config.conf && !a.settings.has_system_default) {
    ev.push_back({file, std::nullopt, tr("{0}: no system-wide TLS settings", a.settings.missing_link),
                  "openssl_conf -> ssl_conf -> system_default"});
  } else if (a.settings.has_system_default) {
    ev.push_back(at(a.settings.system_default_origin, file, "system_default = " + a.settings.system_default, ""));
    for (const char* name : {"CipherString", "CipherSuites", "MinProtocol", "MaxProtocol"}) {
      if (const SslCommand* cmd = a.settings.command(name)) {
        ev.push_back(at(cmd->origin, file, cmd->name + " = " + cmd->value,
                        std::string_view(name) == "CipherString" ? tr("@SECLEVEL within {0}", wanted) : ""));
        // Issue #21 item 9: the lines this one won over, and why.
        for (const auto& other : a.config.assignments) {
          if (other.section != a.settings.system_default || !cmd->origin ||
              (other.origin.file == cmd->origin->file && other.origin.line == cmd->origin->line)) {
            continue;
          }
          std::string_view bare = other.name;
          if (auto dot = bare.find('.'); dot != std::string_view::npos) bare.remove_prefix(dot + 1);
          const std::string_view wanted_name = name;
          if (bare.size() != wanted_name.size() || strncasecmp(bare.data(), name, bare.size()) != 0) continue;
          const std::string winner = cmd->origin->file + ":" + std::to_string(cmd->origin->line);
          ev.push_back({other.origin.file, line_of(other.origin),
                        other.name == cmd->name
                            ? tr("{0} (overridden by {1}: NCONF keeps only the last value of a name in a section)",
                                 other.name, winner)
                            : tr("{0} (overridden by {1}: applied first, then replaced, SSL_CONF_cmd(3) names being "
                                 "case-insensitive)",
                                 other.name, winner),
                        ""});
        }
      }
    }
  }
  const ProbeResult& applied = live ? *live : a.effective;
  ev.push_back({"", std::nullopt,
                tr("{0} applies {1}; level from {2}; compiled-in default level {3}", applied.library, describe(applied),
                   a.level_source, a.defaults.security_level),
                wanted});
  std::string mismatch;
  if (live && differs(*live, a.effective)) {
    mismatch = tr(" (the running library ({0}, file {1}) differs from the analysis of the files ({2}))",
                  describe(*live), live->config_file, describe(a.effective));
    ev.push_back({"", std::nullopt, tr("file analysis: {0}", describe(a.effective)),
                  tr("the live value: {0}", describe(*live))});
  }
  // Lines libssl silently skips (issue #21 item 7). OpenSSL 3.0 applies
  // system_default in ssl/ssl_mcnf.c ssl_do_config(): every command goes
  // through SSL_CONF_cmd() (ssl/ssl_conf.c), which returns -2 for a name it
  // does not know ("CipherStrng") and 0 for a value it refuses ("MinProtocol
  // = TLSv9"); the failures are only counted, the other lines still apply,
  // and for the system-wide configuration the count is ignored unless
  // config_diagnostics = 1 (then no SSL_CTX can be created at all, which the
  // probe sees). Such a line is a finding, always shown here with its file
  // and line; the status follows the policy's own criteria only (the file
  // loads, a TLS context can be created, TLS 1.2 ciphers remain, the level
  // is within bounds), judged on what OpenSSL applies without the line.
  std::string skipped;
  for (const auto& r : applied.rejected) {
    const SslCommand* cmd = nullptr;
    for (const auto& c : a.settings.commands) cmd = c.name == r.name ? &c : cmd;
    const std::optional<Origin> origin = cmd != nullptr ? cmd->origin : std::nullopt;
    ev.push_back(
        at(origin, file,
           tr("{0} = {1} is rejected by OpenSSL ({2}): {3}", r.name, r.value, r.error,
              claims_no_effect(r) ? _("libssl silently skips this line and applies the others")
                                  : _("libssl reports nothing to applications and keeps what the string did set "
                                      "before failing (its @SECLEVEL, an emptied cipher list)")),
           _("a value SSL_CONF_cmd(3) accepts")));
    skipped += (skipped.empty() ? "" : ", ") + r.name + " = " + r.value +
               (origin ? " (" + origin->file + ":" + std::to_string(origin->line) + ")" : "");
  }
  const std::string skipped_note =
      skipped.empty() ? "" : tr("; OpenSSL silently skips {0}: shown as evidence, not judged", skipped);

  const int target = std::clamp(2, std::max(1, limits.min_level), std::max(1, limits.max_level));
  auto fail = [&](std::string summary) {
    Outcome out = Outcome::fail(std::move(summary) + mismatch, ev);
    out.remediation = remediation(a, target);
    return out;
  };
  if (a.config.error) {
    return fail(tr("OpenSSL cannot load {0} ({1}): every application silently ignores the whole configuration and "
                   "falls back to the compiled-in defaults (security level {2})",
                   where(a.config.error->origin), a.config.error->message, a.defaults.security_level));
  }
  if (!applied.ctx_ok) {
    return fail(tr("with this configuration OpenSSL cannot create any TLS context ({0}): every TLS application fails",
                   applied.error));
  }
  if (!applied.init_ok) {
    return fail(tr("OpenSSL fails to load the configuration's modules ({0}): it stops at the failing module, so the "
                   "TLS settings after it are silently not applied (effective security level {1})",
                   applied.init_error, applied.security_level));
  }
  if (applied.tls12_ciphers == 0 && (applied.max_proto == 0 || applied.max_proto <= 0x0303)) {
    return fail(std::string(_("no TLS 1.2 (or older) cipher is left -- only TLS 1.3 suites: every peer limited to TLS "
                              "1.2 or below (Apicrypt servers) fails silently")) +
                (applied.rejected.empty()
                     ? std::string()
                     : tr(" ({0} = {1} is rejected)", applied.rejected.front().name, applied.rejected.front().value)));
  }
  const int level = applied.security_level;
  if (level == 0) {
    return fail(tr("TLS security level 0: OpenSSL enforces no minimum at all ({0})", a.level_source) + skipped_note);
  }
  if (level < limits.min_level || level > limits.max_level) {
    return fail(tr("TLS security level {0} is outside {1} ({2})", level, wanted, a.level_source) +
                (level > limits.max_level ? _(": servers with weaker keys or ciphers are refused") : "") +
                skipped_note);
  }
  return Outcome::pass(tr("TLS security level {0}, minimum protocol {1} ({2})", level, protocol_name(applied.min_proto),
                          a.level_source) +
                           skipped_note + mismatch,
                       ev);
}

}  // namespace clinic_audit::openssl
