// Files of the machine the agent runs on that the agent itself is configured
// by: signing key, certificate and chain, policies, agent.conf, machine-id.
// (Files of the *audited* system go through RootFs.) Any of them may be a
// FIFO, a device, a pseudo-file or a huge sparse file by mistake or by
// attack (issue #20 item 8), so a read:
//   - refuses anything but a regular file before opening it (a FIFO would
//     block open(2), a device could act on being opened),
//   - refuses files of pseudo file systems (/proc, /sys...), whose size says
//     nothing and whose reads may block (`/proc/kmsg`) or consume data,
//   - opens with O_NONBLOCK | O_NOCTTY and checks the descriptor is the same
//     regular file,
//   - reads at most `max_bytes` (a larger file is refused, naming its size).
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace clinic_audit {

class HostFileError : public std::runtime_error {
 public:
  HostFileError(std::filesystem::path path, int err, const std::string& message)
      : std::runtime_error(message), path_(std::move(path)), errno_(err) {}
  const std::filesystem::path& path() const { return path_; }
  // errno of the failing call; 0 when the file is refused for what it is.
  int error_number() const { return errno_; }

 private:
  std::filesystem::path path_;
  int errno_;
};

// Content of `path` (symlinks followed), at most `max_bytes`. `inspect`, when
// given, sees the open descriptor's metadata before anything is read (the
// signing key's mode and owner) and may throw. Messages start with the path:
// "PATH: is a FIFO, not a regular file". Throws HostFileError.
std::string read_host_file(const std::filesystem::path& path, std::size_t max_bytes,
                           const std::function<void(const struct stat&)>& inspect = {});

}  // namespace clinic_audit
