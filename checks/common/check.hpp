// The contract between check types and the engine.
//
// A check type is C++ code with a name (`file`, `sudoers`, ...). A policy
// instantiates it with Params; the factory validates them at load time (bad
// parameters are policy errors, exit 65) and returns a Check that the
// pipeline runs with a Context. Adding a check type means one folder under
// checks/ and one line in checks/registry.cpp.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "context.hpp"
#include "params.hpp"
#include "result.hpp"

namespace clinic_audit {

// A check that could not evaluate, with where it was looking. The pipeline
// turns it (and any other exception) into an `error` result.
class CheckError : public std::runtime_error {
 public:
  explicit CheckError(const std::string& message, std::string path = {}, int line = 0)
      : std::runtime_error(message), path_(std::move(path)), line_(line) {}
  const std::string& path() const { return path_; }
  int line() const { return line_; }

 private:
  std::string path_;
  int line_;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual Outcome run(const Context& context) const = 0;
};

struct CheckType {
  std::string name;
  std::string description;    // one line, shown by `clinic-audit list --types`
  bool uses_network = false;  // reported `skipped` under --offline without running
  // Validates `params` (throwing ParamError) and builds the check.
  std::function<std::unique_ptr<Check>(const Params&)> create;
};

}  // namespace clinic_audit
