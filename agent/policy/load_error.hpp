// Numbered load errors for policies and the site configuration (STYLE.md §5,
// after Falco's falco_load_result): each names the file, the line and what was
// expected, and the whole list is reported before exiting 65.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace clinic_audit {

struct LoadError {
  std::string file;
  int line = 0;  // 0 when the problem is not tied to a line
  std::string message;
};

std::string format_load_errors(const std::vector<LoadError>& errors);

// Thrown when a policy or configuration cannot be used; carries every error found.
class LoadFailure : public std::runtime_error {
 public:
  explicit LoadFailure(std::vector<LoadError> errors)
      : std::runtime_error(format_load_errors(errors)), errors_(std::move(errors)) {}
  const std::vector<LoadError>& errors() const { return errors_; }

 private:
  std::vector<LoadError> errors_;
};

}  // namespace clinic_audit
