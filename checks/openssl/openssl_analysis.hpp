// From the audited root's files to what OpenSSL applies: the configuration
// loaded inside the root (conf_loader), its ssl_conf chain (ssl_settings), and
// the library's answer for that chain and for no configuration at all
// (openssl_probe). Used by the check and by the differential tests.
#pragma once

#include <optional>
#include <string>

#include "conf_cache.hpp"
#include "conf_loader.hpp"
#include "openssl_probe.hpp"
#include "probe_cache.hpp"
#include "ssl_settings.hpp"

namespace clinic_audit {
class RootFs;
class CommandRunner;
}  // namespace clinic_audit

namespace clinic_audit::openssl {

struct Analysis {
  LoadedConfig config;
  SslSettings settings;
  ProbeResult defaults;   // compiled into the library (OPENSSL_TLS_SECURITY_LEVEL...)
  ProbeResult effective;  // what SSL_CTX_new() gives an application with this configuration
  // The running library's own answer (--system), when asked for; else why not.
  std::optional<ProbeResult> live;
  std::string live_failure;
  // Where the effective level comes from, in words ("CipherString at f:12", "compiled-in default").
  std::string level_source;
};

// Throws LimitError, FsError (top-level file unreadable), std::runtime_error (probe).
// `ask_live`: also ask the running system's library (live audits), in the
// same program start as the other answers. `cache`: where the probe's answers
// may be kept between runs (probe_cache.hpp), and NCONF's parse of the
// configuration (conf_cache.hpp: a warm run calls no OpenSSL function); the
// analysis is the same with and without it.
Analysis analyze(const RootFs& fs, CommandRunner& runner, const ProbeCommand& probe, const std::string& path,
                 bool ask_live = false, const std::optional<ProbeCacheSettings>& cache = std::nullopt,
                 CacheOutcome* cache_outcome = nullptr);

// "file:line" or "file" for evidence summaries.
std::string where(const Origin& origin);

}  // namespace clinic_audit::openssl
