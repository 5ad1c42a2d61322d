// A CommandRunner that answers with recorded output: the live systemd path
// cannot run here (PID 1 is not systemd in the test sandbox).
#pragma once

#include <string>
#include <vector>

#include "common/command_runner.hpp"

namespace clinic_audit::testing {

class RecordedRunner final : public CommandRunner {
 public:
  explicit RecordedRunner(std::string out, int exit_code = 0) : out_(std::move(out)), exit_code_(exit_code) {}
  CommandResult run(const CommandSpec& spec) override {
    calls.push_back(spec);
    CommandResult result;
    result.exit_code = exit_code_;
    result.out = out_;
    return result;
  }
  std::vector<CommandSpec> calls;

 private:
  std::string out_;
  int exit_code_;
};

}  // namespace clinic_audit::testing
