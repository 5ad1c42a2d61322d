// Reading and writing cache entries byte for byte, for the tests that damage
// them (conf_cache_test.cpp, probe_cache_test.cpp).
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace clinic_audit::openssl {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Replaces the file (a new inode) with `text`, then sets `mode`.
inline void write_text(const std::filesystem::path& path, const std::string& text, mode_t mode = 0600) {
  std::filesystem::remove(path);
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

}  // namespace clinic_audit::openssl
