#include "libcrypto_identity.hpp"

#include <dlfcn.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

#include "common/sha256.hpp"

extern char** environ;

namespace clinic_audit::openssl {
namespace {

// ld.so(8): the variables that change which file a soname resolves to
// (GLIBC_TUNABLES: glibc.cpu.hwcaps and friends change the CPU level the
// loader picks builds by). LD_DEBUG and the like only change what ld.so
// prints.
bool search_changed_by_environment() {
  for (const char* name : {"LD_LIBRARY_PATH", "LD_PRELOAD", "LD_AUDIT", "GLIBC_TUNABLES"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

// Whether the main program names library directories of its own
// (DT_RPATH, DT_RUNPATH): its link map, from dlopen(3) of NULL.
bool has_search_path() {
  void* self = ::dlopen(nullptr, RTLD_LAZY | RTLD_NOLOAD);
  link_map* map = nullptr;
  if (self == nullptr || ::dlinfo(self, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_ld == nullptr) {
    if (self != nullptr) ::dlclose(self);
    return true;  // unknown: as if it had one
  }
  bool found = false;
  for (const ElfW(Dyn)* dyn = map->l_ld; dyn->d_tag != DT_NULL; ++dyn) {
    found = found || dyn->d_tag == DT_RPATH || dyn->d_tag == DT_RUNPATH;
  }
  ::dlclose(self);
  return found;
}

int collect_object(dl_phdr_info* info, std::size_t, void* data) {
  // The main program has an empty name (its identity is in the key), the
  // vDSO a name without a '/' (it is no file).
  if (info->dlpi_name != nullptr && info->dlpi_name[0] == '/') {
    static_cast<std::vector<std::string>*>(data)->emplace_back(info->dlpi_name);
  }
  return 0;
}

std::string basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// ld.so.cache entries are NUL-terminated paths: one under a glibc-hwcaps
// directory with the basename of a loaded object is a build the loader
// picks by CPU level (ld.so(8) "Hardware capabilities"), which no file
// identity covers.
bool lists_hwcaps_build(const std::filesystem::path& cache, const std::vector<std::string>& basenames) {
  std::ifstream in(cache, std::ios::binary);
  if (!in) return false;  // absent: nothing listed (its identity is keyed)
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::string_view kHwcaps = "/glibc-hwcaps/";
  for (auto at = text.find(kHwcaps); at != std::string::npos; at = text.find(kHwcaps, at + 1)) {
    const auto end = text.find('\0', at);
    const std::string path = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (std::find(basenames.begin(), basenames.end(), basename_of(path)) != basenames.end()) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> loader_context_key(const ProbeCacheSettings& settings, std::string_view nconf_text) {
  if (search_changed_by_environment()) return std::nullopt;
  if (has_search_path()) return std::nullopt;
  std::string key;
  for (const auto& file : settings.loader_files) {
    const FileIdentity id = identity_of(file);
    if (!id.exists && id.text != "absent") return std::nullopt;  // unreadable: its identity is unknown
    key += "file " + id.text + " ";
    put_sized(key, "path", file.string());
  }
  // Without the executable's identity (no /proc: a chroot, some
  // containers) another build could take this one's answers.
  const FileIdentity executable = identity_of(settings.executable);
  if (!executable.exists) return std::nullopt;
  key += "executable " + executable.text + "\n";
  key += "secure " + std::to_string(::getauxval(AT_SECURE)) + "\n";
  // NCONF reads the environment only for a variable named in the text
  // (`$ENV::NAME`, or `$NAME` while the current section is "ENV":
  // crypto/conf/conf_api.c _CONF_get_string), and the name is read from the
  // text's own bytes, possibly split by a backslash-newline continuation.
  // So the variables whose name occurs in the text once backslashes and
  // line ends are removed are a superset of those it can read: only they
  // are keyed, and by digest, so that the entry holds no value (a proxy's
  // password, a token) and a variable that changes at every start
  // (INVOCATION_ID under systemd) does not make every run a miss.
  std::string joined;
  joined.reserve(nconf_text.size());
  for (const char c : nconf_text) {
    if (c != '\\' && c != '\r' && c != '\n') joined += c;
  }
  for (char** env = environ; env != nullptr && *env != nullptr && !joined.empty(); ++env) {
    const std::string_view entry(*env);
    const auto equals = entry.find('=');
    const std::string_view name = entry.substr(0, equals);
    if (name.empty() || joined.find(name) == std::string::npos) continue;
    put_sized(key, "env", name);
    key += sha256_hex_of(equals == std::string_view::npos ? std::string_view() : entry.substr(equals + 1)) + "\n";
  }
  return key;
}

std::optional<std::vector<RecordedObject>> loaded_objects(const timespec& limit, const ProbeCacheSettings& settings) {
  std::vector<std::string> paths;
  dl_iterate_phdr(collect_object, &paths);
  std::vector<RecordedObject> objects;
  std::vector<std::string> basenames;
  bool libcrypto = false;
  for (const auto& path : paths) {
    if (path.find_first_of(" \t\r\n") != std::string::npos || path.find("/glibc-hwcaps/") != std::string::npos) {
      return std::nullopt;
    }
    const FileIdentity id = identity_of(path);
    if (!id.exists || changed_since(id.ctime, limit)) return std::nullopt;
    if (std::any_of(objects.begin(), objects.end(), [&](const RecordedObject& o) { return o.second == path; })) {
      continue;
    }
    basenames.push_back(basename_of(path));
    libcrypto = libcrypto || basenames.back().starts_with("libcrypto.so");
    objects.emplace_back(id.text, path);
  }
  if (!libcrypto) return std::nullopt;
  for (const auto& file : settings.loader_files) {
    if (file.filename() == "ld.so.cache" && lists_hwcaps_build(file, basenames)) return std::nullopt;
  }
  return objects;
}

std::optional<timespec> process_start_time() {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // proc(5): field 2 is "(comm)", which may hold spaces and parentheses;
  // field 22 is the start time in clock ticks after boot.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
  }
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (ticks_per_second <= 0) return std::nullopt;
  const double started_after_boot = std::strtod(field.c_str(), nullptr) / static_cast<double>(ticks_per_second);
  timespec now{}, boot{};
  if (::clock_gettime(CLOCK_REALTIME, &now) != 0 || ::clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return std::nullopt;
  const double up = static_cast<double>(boot.tv_sec) + static_cast<double>(boot.tv_nsec) / 1e9;
  // One tick earlier than the truncated figure: never later than the start.
  const double age = up - started_after_boot + 1.0 / static_cast<double>(ticks_per_second);
  const double start = static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9 - age;
  timespec out{};
  out.tv_sec = static_cast<time_t>(start);
  out.tv_nsec = static_cast<long>((start - static_cast<double>(out.tv_sec)) * 1e9);
  return out;
}

}  // namespace clinic_audit::openssl
