// The trusted cache files shared by the OpenSSL caches (issue #19 item 5):
// the probe's answers (probe_cache.hpp) and NCONF's parse of the audited
// configuration (conf_cache.hpp). The rules are probe_cache.hpp's:
//   - the cache directory is owned by the effective user and not writable by
//     group or others (its parent owned by us or root, not group/other
//     writable); it is created 0700 when missing and its parent exists;
//   - an entry is a regular 0600 file owned by the effective user with one
//     link, opened without following a symlink, at most 1 MiB;
//   - an entry parses completely (header, the key byte for byte, every
//     recorded object unchanged, the payload, "end") or is ignored;
//   - entries are written to a temporary file and renamed over (no fsync: a
//     torn entry after a crash fails to parse and is ignored).
// File identity: device, inode, size, mode, owner, mtime and ctime to the
// nanosecond (ctime cannot be set back by a program).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/unique_fd.hpp"

namespace clinic_audit::openssl {

// Statistics for tests and the benchmark: what the last lookup did.
enum class CacheOutcome { hit, miss_stored, miss_not_stored, not_cacheable };

// A file's identity (see above); `text` has no spaces, tabs or newlines.
struct FileIdentity {
  std::string text;
  timespec ctime{};
  bool exists = false;
};
FileIdentity identity_of(const std::filesystem::path& path);

// Whether `ctime` is at or after `limit`.
bool changed_since(const timespec& ctime, const timespec& limit);
// `started` minus `margin`: a file changed after it may have changed while
// its answer was computed (the racy-git problem), so no entry is written.
timespec racy_limit(timespec started, std::chrono::milliseconds margin);

// The cache directory when it may be trusted, else an invalid descriptor.
UniqueFd open_cache_directory(const std::filesystem::path& directory, bool create);
// The entry's whole content when the file may be trusted.
std::optional<std::string> read_trusted_entry(int dir, const std::string& name);
// Written atomically (temporary file, rename); failures leave no entry.
void write_entry(int dir, const std::string& name, const std::string& text);

// "<prefix><16 hex digits>": FNV-1a of `key`, which only spreads entries
// over names (the whole key is stored and compared).
std::string cache_entry_name(std::string_view prefix, std::string_view key);

// An object the answer came from: its identity and absolute path.
using RecordedObject = std::pair<std::string, std::string>;

// The entry format: `header`, "key N\n<key>\n", "object <identity>\t<path>\n"
// per object, "output N\n<payload>\n", "end\n".
std::string entry_text(std::string_view header, std::string_view key, const std::vector<RecordedObject>& objects,
                       std::string_view payload);
// The payload of `entry` when its header and key match, it records at least
// one object, every object's identity is the same now and nothing follows.
std::optional<std::string> valid_payload(std::string_view entry, std::string_view header, std::string_view key);

// Reads "<word> <decimal>\n" then that many bytes and a '\n' (the entry's
// sized fields; also used by payload formats).
std::optional<std::string_view> take_sized(std::string_view& text, std::string_view word);
// Appends what take_sized reads.
void put_sized(std::string& out, std::string_view word, std::string_view value);

}  // namespace clinic_audit::openssl
