#include "conf_cache.hpp"

#include <openssl/crypto.h>

#include "libcrypto_identity.hpp"

namespace clinic_audit::openssl {
namespace {

constexpr std::string_view kConfKeyHeader = "clinic-audit openssl nconf cache key 1\n";
constexpr std::string_view kConfEntryHeader = "clinic-audit openssl nconf cache 1\n";
constexpr std::string_view kDirKeyHeader = "clinic-audit openssl dir cache key 1\n";
constexpr std::string_view kDirEntryHeader = "clinic-audit openssl dir cache 1\n";

// The entry for `key` in `dir`, when valid.
std::optional<std::string> cached_payload(const UniqueFd& dir, const std::string& name, std::string_view header,
                                          const std::string& key) {
  if (!dir.valid()) return std::nullopt;
  const auto entry = read_trusted_entry(dir.get(), name);
  return entry ? valid_payload(*entry, header, key) : std::nullopt;
}

// Writes the entry unless something it depends on may have changed while
// libcrypto answered (see the header); the outcome says which.
CacheOutcome store_payload(const UniqueFd& dir, const std::string& name, std::string_view header,
                           const std::string& key, const std::string& key_body, std::string_view key_header,
                           const ProbeCacheSettings& settings, std::string_view nconf_text,
                           const std::string& payload) {
  if (!dir.valid()) return CacheOutcome::miss_not_stored;
  const auto started = process_start_time();
  if (!started) return CacheOutcome::miss_not_stored;
  const timespec limit = racy_limit(*started, settings.racy_margin);
  const auto context = loader_context_key(settings, nconf_text);
  if (!context || std::string(key_header) + *context + key_body != key) return CacheOutcome::miss_not_stored;
  for (const auto& file : settings.loader_files) {
    const FileIdentity id = identity_of(file);
    if (id.exists && changed_since(id.ctime, limit)) return CacheOutcome::miss_not_stored;
  }
  const FileIdentity executable = identity_of(settings.executable);
  if (!executable.exists || changed_since(executable.ctime, limit)) return CacheOutcome::miss_not_stored;
  const auto objects = loaded_objects(limit, settings);
  if (!objects) return CacheOutcome::miss_not_stored;
  write_entry(dir.get(), name, entry_text(header, key, *objects, payload));
  return CacheOutcome::miss_stored;
}

std::string text_body(const std::string& text) {
  std::string body;
  put_sized(body, "text", text);
  return body;
}

}  // namespace

std::string conf_cache_entry_name(const std::string& text) { return cache_entry_name("openssl-conf-", text); }
std::string openssl_dir_entry_name() { return cache_entry_name("openssl-dir-", ""); }

ConfCache::ConfCache(const std::optional<ProbeCacheSettings>& settings, const std::string& text) : settings_(settings) {
  if (!settings_ || settings_->directory.empty()) return;
  const auto context = loader_context_key(*settings_, text);
  if (!context) return;
  text_ = text;
  body_ = text_body(text);
  key_ = std::string(kConfKeyHeader) + *context + body_;
  name_ = conf_cache_entry_name(text);
  dir_ = open_cache_directory(settings_->directory, /*create=*/true);
  outcome_ = CacheOutcome::miss_not_stored;
}

std::optional<ConfData> ConfCache::find() {
  if (!key_) return std::nullopt;
  const auto payload = cached_payload(dir_, name_, kConfEntryHeader, *key_);
  auto data = payload ? parse_conf_data(*payload) : std::nullopt;
  if (data) outcome_ = CacheOutcome::hit;
  return data;
}

void ConfCache::store(const ConfData& data) {
  if (!key_) return;
  outcome_ = store_payload(dir_, name_, kConfEntryHeader, *key_, body_, kConfKeyHeader, *settings_, text_,
                           serialize_conf_data(data));
}

std::string default_config_path(const std::optional<ProbeCacheSettings>& settings, CacheOutcome* outcome) {
  CacheOutcome ignored{};
  CacheOutcome& result = outcome != nullptr ? *outcome : ignored;
  result = CacheOutcome::not_cacheable;
  std::optional<std::string> key;
  UniqueFd dir;
  if (settings && !settings->directory.empty()) {
    // OPENSSLDIR is compiled into the library: no environment in its key.
    if (const auto context = loader_context_key(*settings, {})) {
      key = std::string(kDirKeyHeader) + *context;
      dir = open_cache_directory(settings->directory, /*create=*/true);
      result = CacheOutcome::miss_not_stored;
      if (auto cached = cached_payload(dir, openssl_dir_entry_name(), kDirEntryHeader, *key)) {
        result = CacheOutcome::hit;
        return *cached + "/openssl.cnf";
      }
    }
  }
  const char* info = OPENSSL_info(OPENSSL_INFO_CONFIG_DIR);
  const std::string openssl_dir = info != nullptr && *info != '\0' ? info : "/usr/lib/ssl";
  if (key) {
    result = store_payload(dir, openssl_dir_entry_name(), kDirEntryHeader, *key, "", kDirKeyHeader, *settings, {},
                           openssl_dir);
  }
  return openssl_dir + "/openssl.cnf";
}

}  // namespace clinic_audit::openssl
