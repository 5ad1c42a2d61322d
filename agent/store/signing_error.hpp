// The one exception type of the signing library. Every message names the file
// and what to do about it, never any key material (issue #8 item 3).
#pragma once

#include <stdexcept>
#include <string>

namespace clinic_audit::signing {

// Exit codes of DESIGN.md §4 that signing uses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblemFound = 1;  // verify: at least one problem
inline constexpr int kExitUsage = 64;
inline constexpr int kExitRefused = 65;  // bad key, certificate or configuration
inline constexpr int kExitInternal = 70;
inline constexpr int kExitCannotWrite = 73;

class SigningError : public std::runtime_error {
 public:
  SigningError(int exit_code, const std::string& message) : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace clinic_audit::signing
