// Which libcrypto, and so which NCONF, a run of the agent uses, told without
// loading it (issue #19 item 5: a warm audit must not load libcrypto).
//
// The agent binds libcrypto on first call (agent/lazy_openssl/): ld.so(8)
// then looks for "libcrypto.so.3" in LD_LIBRARY_PATH, the executable's
// RUNPATH, /etc/ld.so.cache (glibc-hwcaps variants first, chosen by the
// CPU), then the default directories, after LD_PRELOAD and /etc/ld.so.preload
// and with LD_AUDIT modules able to redirect the search. What NCONF makes of
// a text also depends on the process environment: a `$ENV::name` reference,
// or any variable looked up while the current section is named "ENV" (which
// a section header built from variables can name), reads getenv(3), or
// nothing when the process is set-user-ID (ossl_safe_getenv).
//
// So the answer is keyed on: the identity of /etc/ld.so.cache,
// /etc/ld.so.preload and the executable; the SHA-256 of each environment
// variable whose name occurs in the text given to NCONF (a superset of the
// ones it can read, see loader_context_key); AT_SECURE. It is never kept
// when LD_LIBRARY_PATH, LD_PRELOAD, LD_AUDIT or GLIBC_TUNABLES is set, when
// the executable's identity cannot be read, when the executable has an RPATH or RUNPATH (directories whose
// content no file identity covers), or when ld.so.cache lists a glibc-hwcaps
// build of a loaded object (the CPU would choose). And it records the
// identity of every object the process had loaded when NCONF answered
// (libcrypto, libc, ld.so...), each checked again before an answer is used.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache_files.hpp"
#include "probe_cache.hpp"

namespace clinic_audit::openssl {

// The part of a key that says which library this process would load and
// what NCONF could read from its environment while parsing `nconf_text`
// (empty: nothing); nullopt when it cannot be told.
std::optional<std::string> loader_context_key(const ProbeCacheSettings& settings, std::string_view nconf_text);

// Every object this process has loaded, libcrypto among them, with its
// identity; nullopt when there is no libcrypto, when one changed at or
// after `limit`, or when the loader might pick another build of one.
std::optional<std::vector<RecordedObject>> loaded_objects(const timespec& limit, const ProbeCacheSettings& settings);

// When this process started (CLOCK_REALTIME), from /proc/self/stat: a file
// changed after it may differ from the one loaded. nullopt when unknown.
std::optional<timespec> process_start_time();

}  // namespace clinic_audit::openssl
