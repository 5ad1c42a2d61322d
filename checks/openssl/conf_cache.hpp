// Keeps between runs what libcrypto answers about the audited configuration
// (issue #19 item 5), so that a warm audit calls no OpenSSL function and
// never loads libcrypto (2.1 MiB and about 1 ms in the agent):
//   - NCONF's parse of the flattened configuration text (conf_loader.hpp),
//     keyed byte for byte on the exact text given to NCONF_load_bio;
//   - OPENSSLDIR (OPENSSL_info(3)), which names the default openssl.cnf.
// Both are also keyed on which libcrypto this process would load, and the
// NCONF answer on the environment variables the text may read
// (libcrypto_identity.hpp). The library still decides: an
// answer is only ever one that NCONF gave for that key, and any doubt runs
// it again. A text NCONF refuses is never kept (the error text comes from
// the library): it runs NCONF every time.
//
// Entries live in the probe cache's directory, under the same trust rules
// and format (cache_files.hpp); racy entries are not written: when an object
// or keyed file changed after this process started, less `racy_margin`.
#pragma once

#include <optional>
#include <string>

#include "cache_files.hpp"
#include "conf_data.hpp"
#include "probe_cache.hpp"

namespace clinic_audit::openssl {

// One lookup of NCONF's answer for `text`; store() after a miss.
class ConfCache {
 public:
  ConfCache(const std::optional<ProbeCacheSettings>& settings, const std::string& text);
  ConfCache(const ConfCache&) = delete;
  ConfCache& operator=(const ConfCache&) = delete;

  // The remembered answer, when a valid entry exists.
  std::optional<ConfData> find();
  // Remembers NCONF's answer (called only after NCONF succeeded on `text`).
  void store(const ConfData& data);
  CacheOutcome outcome() const { return outcome_; }

 private:
  const std::optional<ProbeCacheSettings>& settings_;
  std::string text_;                // what NCONF parses
  std::string body_;                // the text's part of the key
  std::optional<std::string> key_;  // nullopt: not cacheable
  std::string name_;
  UniqueFd dir_;
  CacheOutcome outcome_ = CacheOutcome::not_cacheable;
};

// The configuration file OpenSSL loads by default: OPENSSLDIR/openssl.cnf,
// OPENSSLDIR as compiled into the library (OPENSSL_info(3)
// OPENSSL_INFO_CONFIG_DIR; /usr/lib/ssl on Debian), remembered the same way.
// Without settings, always asks the library.
std::string default_config_path(const std::optional<ProbeCacheSettings>& settings = std::nullopt,
                                CacheOutcome* outcome = nullptr);

// The entry names (exposed for tests).
std::string conf_cache_entry_name(const std::string& text);
std::string openssl_dir_entry_name();

}  // namespace clinic_audit::openssl
