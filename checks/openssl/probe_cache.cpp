#include "probe_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <ctime>

#include "common/unique_fd.hpp"

namespace clinic_audit::openssl {
namespace {

constexpr std::string_view kKeyHeader = "clinic-audit openssl probe cache key 1\n";
constexpr std::string_view kEntryHeader = "clinic-audit openssl probe cache 1\n";
constexpr std::size_t kMaxEntryBytes = 1 << 20;

// A file's identity: what changes when it is rewritten, replaced, renamed
// over, chmod-ed or chown-ed. No spaces (the entry format relies on it).
struct Identity {
  std::string text;
  timespec ctime{};
  bool exists = false;
};

Identity identity_of(const std::filesystem::path& path) {
  struct stat st {};
  Identity id;
  if (::stat(path.c_str(), &st) != 0) {
    id.text = errno == ENOENT ? "absent" : "errno:" + std::to_string(errno);
    return id;
  }
  id.exists = true;
  id.ctime = st.st_ctim;
  id.text = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
            std::to_string(st.st_mode) + ":" + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + ":" +
            std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
            std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
  return id;
}

// The files whose identity the key holds, besides the recorded objects.
std::vector<std::filesystem::path> keyed_files(const ProbeCommand& command, const ProbeCacheSettings& cache) {
  std::vector<std::filesystem::path> files{command.program};
  for (const auto& arg : command.args) {
    if (arg.starts_with('/')) files.emplace_back(arg);
  }
  files.insert(files.end(), cache.loader_files.begin(), cache.loader_files.end());
  return files;
}

// The shared objects the probe listed ("object=PATH" lines), once each.
std::vector<std::string> listed_objects(std::string_view output) {
  std::vector<std::string> objects;
  while (!output.empty()) {
    const auto nl = output.find('\n');
    const std::string_view line = output.substr(0, nl);
    output = nl == std::string_view::npos ? std::string_view() : output.substr(nl + 1);
    if (!line.starts_with("object=")) continue;
    std::string path(line.substr(7));
    if (std::find(objects.begin(), objects.end(), path) == objects.end()) objects.push_back(std::move(path));
  }
  return objects;
}

bool changed_since(const timespec& ctime, const timespec& limit) {
  return ctime.tv_sec > limit.tv_sec || (ctime.tv_sec == limit.tv_sec && ctime.tv_nsec >= limit.tv_nsec);
}

// The cache directory, opened only when it may be trusted (see the header);
// created (0700) when missing and its parent is there.
UniqueFd open_cache_directory(const std::filesystem::path& directory, bool create) {
  const uid_t me = ::geteuid();
  UniqueFd parent(::open(directory.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st {};
  if (!parent.valid() || ::fstat(parent.get(), &st) != 0) return {};
  if ((st.st_uid != me && st.st_uid != 0) || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) return {};
  const std::string name = directory.filename().string();
  if (name.empty() || name == "." || name == "..") return {};
  if (create && ::mkdirat(parent.get(), name.c_str(), 0700) != 0 && errno != EEXIST) return {};
  UniqueFd dir(::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid() || ::fstat(dir.get(), &st) != 0) return {};
  if (st.st_uid != me || (st.st_mode & 077) != 0) return {};
  return dir;
}

std::optional<std::string> read_trusted_entry(int dir, const std::string& name) {
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return std::nullopt;
  if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 07777) != 0600 || st.st_nlink != 1 ||
      st.st_size > static_cast<off_t>(kMaxEntryBytes)) {
    return std::nullopt;
  }
  std::string content(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    done += static_cast<std::size_t>(n);
  }
  return content;
}

// Reads "<word> <decimal>\n" then that many bytes and a '\n'.
std::optional<std::string_view> take_sized(std::string_view& text, std::string_view word) {
  if (!text.starts_with(word) || text.size() <= word.size() || text[word.size()] != ' ') return std::nullopt;
  text.remove_prefix(word.size() + 1);
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos || nl == 0 || nl > 8) return std::nullopt;
  std::size_t size = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + nl, size);
  if (ec != std::errc{} || ptr != text.data() + nl) return std::nullopt;
  text.remove_prefix(nl + 1);
  if (text.size() < size + 1 || text[size] != '\n') return std::nullopt;
  const std::string_view value = text.substr(0, size);
  text.remove_prefix(size + 1);
  return value;
}

// The probe's output held by a valid entry for `key`, else nothing.
std::optional<std::string> valid_output(std::string_view entry, std::string_view key) {
  if (!entry.starts_with(kEntryHeader)) return std::nullopt;
  entry.remove_prefix(kEntryHeader.size());
  const auto stored_key = take_sized(entry, "key");
  if (!stored_key || *stored_key != key) return std::nullopt;
  std::size_t objects = 0;
  while (entry.starts_with("object ")) {
    const auto nl = entry.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    const std::string_view line = entry.substr(7, nl - 7);
    entry.remove_prefix(nl + 1);
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos || !line.substr(tab + 1).starts_with('/')) return std::nullopt;
    if (identity_of(std::string(line.substr(tab + 1))).text != line.substr(0, tab)) return std::nullopt;
    ++objects;
  }
  const auto output = take_sized(entry, "output");
  if (objects == 0 || !output || entry != "end\n") return std::nullopt;
  return std::string(*output);
}

std::string entry_text(std::string_view key, const std::vector<std::pair<std::string, std::string>>& objects,
                       std::string_view output) {
  std::string text(kEntryHeader);
  text += "key " + std::to_string(key.size()) + "\n";
  text += key;
  text += "\n";
  for (const auto& [identity, path] : objects) text += "object " + identity + "\t" + path + "\n";
  text += "output " + std::to_string(output.size()) + "\n";
  text += output;
  text += "\nend\n";
  return text;
}

void write_entry(int dir, const std::string& name, const std::string& text) {
  static std::atomic<unsigned> counter{0};
  const std::string temp = name + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  const int fd = ::openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = ::fchmod(fd, 0600) == 0;  // whatever the umask
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::renameat(dir, temp.c_str(), dir, name.c_str()) != 0) ::unlinkat(dir, temp.c_str(), 0);
}

// Every answer is a result (a failed mode is never kept).
bool all_answered(const std::vector<ProbeAnswer>& answers) {
  return std::all_of(answers.begin(), answers.end(), [](const ProbeAnswer& a) { return a.result.has_value(); });
}

}  // namespace

bool is_cacheable_command(std::string_view name) {
  // SSL_CONF_cmd(3), ssl/ssl_conf.c: the commands whose value is not a file
  // name. Certificate, PrivateKey, ServerInfoFile, ChainCA*, VerifyCA*,
  // RequestCA*, ClientCA* and DHParameters read the auditor's files.
  if (const auto dot = name.find('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  static constexpr std::array<std::string_view, 14> kValueOnly{"CipherString",   "Ciphersuites",
                                                               "MinProtocol",    "MaxProtocol",
                                                               "Protocol",       "Options",
                                                               "Curves",         "Groups",
                                                               "ECDHParameters", "SignatureAlgorithms",
                                                               "VerifyMode",     "RecordPadding",
                                                               "NumTickets",     "ClientSignatureAlgorithms"};
  return std::any_of(kValueOnly.begin(), kValueOnly.end(), [&](std::string_view known) {
    return known.size() == name.size() && std::equal(known.begin(), known.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  });
}

std::string probe_cache_entry_name(std::string_view key) {
  // FNV-1a: only spreads the entries over names; the whole key is compared.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : key) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "openssl-probe-";
  for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(hash >> shift) & 0xF];
  return name;
}

std::string probe_cache_key(const ProbeCommand& command, const std::vector<ProbeMode>& modes,
                            const std::string& config_text, const ProbeCacheSettings& cache) {
  std::string key(kKeyHeader);
  key += "root " + std::to_string(cache.root.size()) + " " + cache.root + "\n";
  const CommandSpec spec = probe_spec(command, modes, config_text);
  key += "program " + spec.program.string() + "\n";
  for (const auto& arg : spec.args) key += "arg " + std::to_string(arg.size()) + " " + arg + "\n";
  // CommandRunner's minimal environment when the spec sets none (command_runner.hpp).
  if (spec.env.empty()) key += "env minimal\n";
  for (const auto& [name, value] : spec.env) key += "env " + name + "=" + value + "\n";
  for (const auto& file : keyed_files(command, cache)) {
    key += "file " + identity_of(file).text + " " + std::to_string(file.string().size()) + " " + file.string() + "\n";
  }
  key += "stdin " + std::to_string(spec.stdin_data ? spec.stdin_data->size() : 0) + "\n";
  if (spec.stdin_data) key += *spec.stdin_data;
  return key;
}

std::vector<ProbeAnswer> run_probes_cached(CommandRunner& runner, const ProbeCommand& command,
                                           const std::vector<ProbeMode>& modes, const std::string& config_text,
                                           const std::optional<ProbeCacheSettings>& cache, bool cacheable,
                                           CacheOutcome* outcome) {
  CacheOutcome ignored{};
  CacheOutcome& result = outcome != nullptr ? *outcome : ignored;
  const bool system = std::find(modes.begin(), modes.end(), ProbeMode::system) != modes.end();
  if (!cache || !cacheable || system || cache->directory.empty()) {
    result = CacheOutcome::not_cacheable;
    return run_probes(runner, command, modes, config_text);
  }
  timespec started{};
  ::clock_gettime(CLOCK_REALTIME, &started);
  const std::string key = probe_cache_key(command, modes, config_text, *cache);
  const std::string name = probe_cache_entry_name(key);
  const UniqueFd dir = open_cache_directory(cache->directory, /*create=*/true);
  if (dir.valid()) {
    if (const auto entry = read_trusted_entry(dir.get(), name)) {
      if (const auto output = valid_output(*entry, key)) {
        auto answers = parse_probe_answers(*output, modes.size());
        if (all_answered(answers)) {
          result = CacheOutcome::hit;
          return answers;
        }
      }
    }
  }
  std::string output = run_probe_program(runner, command, modes, config_text);
  auto answers = parse_probe_answers(output, modes.size());
  result = CacheOutcome::miss_not_stored;
  if (!dir.valid() || !all_answered(answers)) return answers;
  // Racy: a keyed file that changed just before the run, or during it.
  timespec limit = started;
  const auto margin = cache->racy_margin.count();
  limit.tv_sec -= static_cast<time_t>(margin / 1000);
  limit.tv_nsec -= static_cast<long>(margin % 1000) * 1000000L;
  if (limit.tv_nsec < 0) limit.tv_nsec += 1000000000L, limit.tv_sec -= 1;
  if (probe_cache_key(command, modes, config_text, *cache) != key) return answers;
  for (const auto& file : keyed_files(command, *cache)) {
    const Identity id = identity_of(file);
    if (id.exists && changed_since(id.ctime, limit)) return answers;
  }
  std::vector<std::pair<std::string, std::string>> objects;
  for (const auto& path : listed_objects(output)) {
    if (!path.starts_with('/') || path.find_first_of(" \t\r\n") != std::string::npos) return answers;
    const Identity id = identity_of(path);
    if (!id.exists || changed_since(id.ctime, limit)) return answers;
    objects.emplace_back(id.text, path);
  }
  if (objects.empty()) return answers;  // a probe that names nothing it loaded: no key, no entry
  write_entry(dir.get(), name, entry_text(key, objects, output));
  result = CacheOutcome::miss_stored;
  return answers;
}

}  // namespace clinic_audit::openssl
