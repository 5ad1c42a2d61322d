// Loads an OpenSSL configuration file of the audited root with OpenSSL's own
// parser (NCONF), but with every `.include` resolved *inside the root*.
//
// config(5): ".include pathname" includes a file, or every "*.cnf"/"*.conf"
// file of a directory (sub-directories and directory includes met while
// reading a directory are ignored); a missing include is not an error; a
// relative pathname gets the `.pragma includedir` prefix, else is relative to
// the current directory (system services run in "/"). The pathname undergoes
// the same `$var` expansion as values, so each include path is expanded by
// NCONF itself on the text read so far. The result is one text without
// includes, loaded with NCONF_load_bio from memory: NCONF never opens a file.
// What NCONF made of it is kept as plain data (conf_data.hpp), remembered
// between runs when a cache is given (conf_cache.hpp): a warm run does not
// call the library at all.
// The environment variable OPENSSL_CONF_INCLUDE is deliberately ignored: it
// belongs to the auditor's environment, not to the audited services'.
#pragma once

#include <openssl/conf.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache_files.hpp"
#include "common/openssl_ptr.hpp"
#include "conf_data.hpp"
#include "probe_cache.hpp"

namespace clinic_audit {
class RootFs;
}

namespace clinic_audit::openssl {

struct Origin {
  std::string file;  // in-root path
  int line = 0;      // 1-based
};

// An assignment as written, to point evidence at the line that set a value.
// `section` is empty when the section name needed expansion ($, quotes).
struct Assignment {
  std::string section;
  std::string name;
  Origin origin;
};

// Something a technician should know about an include (missing, ignored...).
struct IncludeNote {
  Origin origin;
  std::string path;
  std::string note;
};

using ConfPtr = OpensslPtr<CONF, NCONF_free>;

struct LoadError {
  std::string message;  // OpenSSL's reason(s)
  Origin origin;        // file and line inside the root, when known
};

struct LoadedConfig {
  std::string path;                // the top-level file, as asked
  std::string resolved_path;       // the same, symlinks resolved inside the root
  bool exists = false;             // false: OpenSSL silently uses built-in defaults
  std::vector<std::string> files;  // every file read, in reading order
  std::vector<IncludeNote> notes;
  std::vector<Assignment> assignments;
  std::string text;                                       // what NCONF parsed
  std::vector<Origin> origins;                            // origin of each line of `text`
  std::optional<ConfData> conf;                           // NCONF's answer; none when absent or not loadable
  CacheOutcome conf_cache = CacheOutcome::not_cacheable;  // where `conf` came from
  std::optional<LoadError> error;                         // OpenSSL refuses the file (the library then ignores it)

  // The line that last set `name` in `section` (as NCONF keeps the last one).
  std::optional<Origin> origin_of(std::string_view section, std::string_view name) const;
};

// Limits against hostile images; exceeding one is a LimitError (check: error).
struct LoadLimits {
  std::size_t max_file_bytes = 1 << 20;
  std::size_t max_total_bytes = 8 << 20;
  std::size_t max_files = 256;
  std::size_t max_depth = 32;  // OpenSSL itself recurses until it runs out of descriptors
};

class LimitError : public std::runtime_error {
 public:
  LimitError(const std::string& message, Origin origin) : std::runtime_error(message), origin_(std::move(origin)) {}
  const Origin& origin() const { return origin_; }

 private:
  Origin origin_;
};

// Reads `path` (absolute, inside the root) and everything it includes.
// Throws LimitError; file-system errors on the top-level file propagate as FsError.
// `cache`: where NCONF's answer may be kept (conf_cache.hpp); the result is
// the same with and without it.
LoadedConfig load_config(const RootFs& fs, std::string_view path, const LoadLimits& limits = {},
                         const std::optional<ProbeCacheSettings>& cache = std::nullopt);

// NCONF's reason for the last failure on this thread's error queue (cleared).
std::string take_openssl_errors();

}  // namespace clinic_audit::openssl
