#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "crash_point.hpp"
#include "signing_error.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::signing {
namespace {

constexpr std::string_view kTempMarker = ".tmp-";

std::string errno_text() { return i18n::error_text(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

void fsync_directory(const std::filesystem::path& directory) {
  Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    throw SigningError(kExitCannotWrite, "cannot sync directory " + directory.string() + ": " + errno_text());
  }
}

void write_file_atomically(const std::filesystem::path& target, std::string_view bytes, mode_t mode,
                           std::string_view crash_step_prefix, bool sync_directory) {
  const std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  std::string pattern = (directory / ("." + target.filename().string() + std::string(kTempMarker) + "XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  // mkstemp creates the file 0600: the content is never readable by others
  // before the final mode is set.
  Fd fd(::mkstemp(name.data()));
  if (fd.get() < 0) {
    throw SigningError(kExitCannotWrite, "cannot create a file in " + directory.string() + ": " + errno_text());
  }
  const std::string temp(name.data());
  auto fail = [&](const std::string& what) {
    const std::string reason = errno_text();
    ::unlink(temp.c_str());
    throw SigningError(kExitCannotWrite, "cannot write " + target.string() + ": " + what + ": " + reason);
  };
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), mode) != 0) fail("chmod");
  if (::fsync(fd.get()) != 0) fail("fsync");
  if (::close(fd.release()) != 0) fail("close");
  if (!crash_step_prefix.empty()) crash_point(std::string(crash_step_prefix) + ":temp-written");
  if (::rename(temp.c_str(), target.c_str()) != 0) fail("rename");
  if (sync_directory) fsync_directory(directory);
  if (!crash_step_prefix.empty()) crash_point(std::string(crash_step_prefix) + ":renamed");
}

std::string read_file(const std::filesystem::path& path) {
  // Files in the reports and state directories may be planted or damaged
  // (issue #20 item 8): a FIFO named like a report must not block, a 2 GB
  // sparse one must not be read. Refused before opening when not a regular
  // file, opened non-blocking, and never read past kMaxReadBytes.
  constexpr std::size_t kMaxReadBytes = 8 * 1024 * 1024;
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) {
    throw SigningError(kExitRefused, "cannot read " + path.string() + ": " + errno_text());
  }
  if (!S_ISREG(before.st_mode)) {
    throw SigningError(kExitRefused, "cannot read " + path.string() + ": not a regular file");
  }
  if (static_cast<std::uintmax_t>(before.st_size) > kMaxReadBytes) {
    throw SigningError(kExitRefused, "cannot read " + path.string() + ": " + std::to_string(before.st_size) +
                                         " bytes, over the " + std::to_string(kMaxReadBytes) + "-byte limit");
  }
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0) throw SigningError(kExitRefused, "cannot read " + path.string() + ": " + errno_text());
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    throw SigningError(kExitRefused, "cannot read " + path.string() + ": not a regular file");
  }
  std::string bytes;
  std::vector<char> chunk(64 * 1024);
  while (true) {
    const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SigningError(kExitRefused, "cannot read " + path.string() + ": " + errno_text());
    if (n == 0) break;
    if (bytes.size() + static_cast<std::size_t>(n) > kMaxReadBytes) {
      throw SigningError(kExitRefused, "cannot read " + path.string() + ": grew over the " +
                                           std::to_string(kMaxReadBytes) + "-byte limit");
    }
    bytes.append(chunk.data(), static_cast<std::size_t>(n));
  }
  return bytes;
}

bool is_atomic_temp_name(std::string_view file_name) {
  return file_name.size() > kTempMarker.size() + 7 && file_name.front() == '.' &&
         file_name.find(kTempMarker) != std::string_view::npos;
}

}  // namespace clinic_audit::signing
