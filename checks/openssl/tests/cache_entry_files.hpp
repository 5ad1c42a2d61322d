// Reading and writing cache entries byte for byte, for the tests that damage
// them, and the private directory each of those tests keeps its cache in
// (conf_cache_test.cpp, probe_cache_test.cpp).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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

// A new directory for the running test, "PREFIX-TEST-PID", and its "state"
// subdirectory, both 0700 as the agent's state directory must be (the cache
// refuses one others can write); the cache itself goes in state/cache.
inline std::filesystem::path private_test_dir(const std::string& prefix) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      (prefix + "-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
       std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "state");
  ::chmod(dir.c_str(), 0700);
  ::chmod((dir / "state").c_str(), 0700);
  return dir;
}

}  // namespace clinic_audit::openssl
