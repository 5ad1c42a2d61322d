#include "cache_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>

namespace clinic_audit::openssl {
namespace {

constexpr std::size_t kMaxEntryBytes = 1 << 20;

}  // namespace

FileIdentity identity_of(const std::filesystem::path& path) {
  struct stat st {};
  FileIdentity id;
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

bool changed_since(const timespec& ctime, const timespec& limit) {
  return ctime.tv_sec > limit.tv_sec || (ctime.tv_sec == limit.tv_sec && ctime.tv_nsec >= limit.tv_nsec);
}

timespec racy_limit(timespec started, std::chrono::milliseconds margin) {
  const auto ms = margin.count();
  started.tv_sec -= static_cast<time_t>(ms / 1000);
  started.tv_nsec -= static_cast<long>(ms % 1000) * 1000000L;
  // A negative margin (tests) can push tv_nsec past a second the other way.
  if (started.tv_nsec < 0) started.tv_nsec += 1000000000L, started.tv_sec -= 1;
  if (started.tv_nsec >= 1000000000L) started.tv_nsec -= 1000000000L, started.tv_sec += 1;
  return started;
}

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

void write_entry(int dir, const std::string& name, const std::string& text) {
  if (text.size() > kMaxEntryBytes) return;  // it would never be read back
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

std::string cache_entry_name(std::string_view prefix, std::string_view key) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : key) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name(prefix);
  for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(hash >> shift) & 0xF];
  return name;
}

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

void put_sized(std::string& out, std::string_view word, std::string_view value) {
  out += word;
  out += ' ';
  out += std::to_string(value.size());
  out += '\n';
  out += value;
  out += '\n';
}

std::string entry_text(std::string_view header, std::string_view key, const std::vector<RecordedObject>& objects,
                       std::string_view payload) {
  std::string text(header);
  put_sized(text, "key", key);
  for (const auto& [identity, path] : objects) text += "object " + identity + "\t" + path + "\n";
  put_sized(text, "output", payload);
  text += "end\n";
  return text;
}

std::optional<std::string> valid_payload(std::string_view entry, std::string_view header, std::string_view key) {
  if (!entry.starts_with(header)) return std::nullopt;
  entry.remove_prefix(header.size());
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
  const auto payload = take_sized(entry, "output");
  if (objects == 0 || !payload || entry != "end\n") return std::nullopt;
  return std::string(*payload);
}

}  // namespace clinic_audit::openssl
