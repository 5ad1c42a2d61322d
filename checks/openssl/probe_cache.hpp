// Keeps the OpenSSL probe's answers between runs (issue #19 item 5): starting
// clinic-audit-openssl-probe costs about 6 ms of CPU and 8 MiB, most of it
// the dynamic loader relocating libssl and libcrypto, for answers that change
// only when one of their inputs does.
//
// What an answer depends on, and so what the entry is keyed on:
//   - the probe program and every absolute file on its command line (their
//     identity: device, inode, size, mode, owner, mtime and ctime to the
//     nanosecond; ctime cannot be set back by a program);
//   - the shared objects the probe actually had loaded, libssl, libcrypto,
//     the C++ runtime and the dynamic loader included (the probe lists them,
//     dl_iterate_phdr(3)), and the files that steer which ones ld.so loads:
//     /etc/ld.so.cache and /etc/ld.so.preload (ld.so(8); the probe runs with
//     the fixed minimal environment of CommandRunner, so LD_LIBRARY_PATH,
//     LD_PRELOAD, OPENSSL_CONF, OPENSSL_MODULES of the auditor never reach it);
//   - the modes asked and the exact configuration text given on stdin (the
//     ssl_conf chain synthesized from the audited root, which names no file);
//   - the audited root's path.
// Only the answers computed from that text and the library are cached: the
// `--system` answer (the live machine's own configuration file, its includes
// and the modules it may load) always runs the probe, and so does a chain
// holding an SSL_CONF_cmd(3) command that reads a file (Certificate,
// VerifyCAFile...: is_cacheable_command). Any doubt = run the probe.
//
// Trust: an entry is used only when its directory and the file are owned by
// the agent's effective user (root in service), the directory is not
// writable by group or others, the file is a regular 0600 file opened
// without following a symlink, and its content parses completely with a key
// equal byte for byte to the one computed now and every recorded object
// unchanged. Anything else is ignored (the probe runs and the entry is
// rewritten). The code is cache_files.hpp's, shared with conf_cache.hpp
// (NCONF's parse kept in the same directory). Entries are written atomically (temporary file, rename); no
// fsync: a torn entry after a crash fails to parse and is ignored.
// Racy entries are not written: when a keyed file changed within
// `racy_margin` before the probe started (its ctime cannot be told apart
// from a change during the run, the same problem git's index has).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache_files.hpp"
#include "openssl_probe.hpp"

namespace clinic_audit::openssl {

struct ProbeCacheSettings {
  std::filesystem::path directory;  // e.g. /var/lib/clinic-audit/cache; created 0700 when its parent exists
  std::string root;                 // the audited root ("/" when live)
  std::chrono::milliseconds racy_margin{2000};
  // The files that steer the dynamic loader (tests point them elsewhere).
  std::vector<std::filesystem::path> loader_files{"/etc/ld.so.cache", "/etc/ld.so.preload"};
  // The agent's own executable: its identity keys NCONF's cached parse
  // (conf_cache.hpp), since its RUNPATH steers which libcrypto it loads.
  std::filesystem::path executable{"/proc/self/exe"};
};

// Whether the SSL_CONF_cmd(3) command `name` (as written, "prefix." allowed)
// leaves the answer depending only on its value: false for the commands that
// read files and for every name not known here.
bool is_cacheable_command(std::string_view name);

// run_probes(), answered from the cache when a valid entry exists.
// `cacheable` is the caller's judgement about the configuration text (see
// above); modes holding ProbeMode::system are never cached.
std::vector<ProbeAnswer> run_probes_cached(CommandRunner& runner, const ProbeCommand& command,
                                           const std::vector<ProbeMode>& modes, const std::string& config_text,
                                           const std::optional<ProbeCacheSettings>& cache, bool cacheable,
                                           CacheOutcome* outcome = nullptr);

// The entry's file name inside the cache directory for this key (exposed for tests).
std::string probe_cache_entry_name(std::string_view key);
// The key for a run (throws nothing; exposed for tests).
std::string probe_cache_key(const ProbeCommand& command, const std::vector<ProbeMode>& modes,
                            const std::string& config_text, const ProbeCacheSettings& cache);

}  // namespace clinic_audit::openssl
