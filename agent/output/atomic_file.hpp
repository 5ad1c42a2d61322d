// Durable, atomic file replacement (DESIGN.md §6): write a temporary file in
// the same directory, fsync it, rename it over the target, fsync the
// directory. A crash or a full disk never leaves a half-written report and
// never harms the previous ones.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace clinic_audit {

class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws WriteError naming the path and the system error.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, unsigned mode = 0644);

}  // namespace clinic_audit
