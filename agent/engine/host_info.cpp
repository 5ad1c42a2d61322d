#include "host_info.hpp"

#include <unistd.h>

#include <array>

#include "common/text.hpp"

namespace clinic_audit {
namespace {

std::string first_line(const RootFs& fs, const char* path) {
  try {
    auto content = fs.read_file_if_exists(path, 64 * 1024);
    if (!content) return {};
    std::string line = content->substr(0, content->find('\n'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    return line;
  } catch (const FsError&) {
    return {};
  }
}

// os-release(5): /etc/os-release, else /usr/lib/os-release; PRETTY_NAME, unquoted.
std::string pretty_name(const RootFs& fs) {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    try {
      auto content = fs.read_file_if_exists(path, 64 * 1024);
      if (!content) continue;
      LineReader lines(*content);
      std::string_view line;
      while (lines.next(line)) {
        if (!line.starts_with("PRETTY_NAME=")) continue;
        std::string value(line.substr(12));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
          value = value.substr(1, value.size() - 2);
        }
        return value;
      }
    } catch (const FsError&) {
    }
  }
  return {};
}

}  // namespace

HostInfo read_host_info(const RootFs& fs) {
  HostInfo info;
  if (fs.is_live()) {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) == 0) info.hostname = buf.data();
  } else {
    info.hostname = first_line(fs, "/etc/hostname");
  }
  if (info.hostname.empty()) info.hostname = "unknown";
  info.machine_id = first_line(fs, "/etc/machine-id");
  info.os_release = pretty_name(fs);
  return info;
}

}  // namespace clinic_audit
