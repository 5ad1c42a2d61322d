#include "check_test_support.hpp"

#include <unistd.h>

#include <filesystem>

#include "common/root_fs.hpp"
#include "reachability_check.hpp"

namespace clinic_audit::reachability::testing {
namespace {

// The reachability check runs no command; anything else is a bug.
class NoCommands final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec&) override { throw std::logic_error("reachability ran a command"); }
};

}  // namespace

Params make_params(const ParamList& list) {
  Params params;
  for (const auto& [name, value] : list) params.add(name, value);
  return params;
}

Outcome run_check(const ParamList& list, NetworkSettings network) {
  const Params params = make_params(list);
  const auto check = reachability_check_type().create(params);
  const auto root = std::filesystem::temp_directory_path() / ("careach-root-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root);
  RootFs fs(root);
  NoCommands commands;
  Context context(fs, commands, network);
  Outcome outcome = check->run(context);
  std::filesystem::remove_all(root);
  return outcome;
}

std::string all_text(const Outcome& outcome) {
  std::string text = outcome.summary + "\n" + outcome.remediation + "\n";
  for (const auto& evidence : outcome.evidence) text += evidence.observed + " | " + evidence.expected + "\n";
  return text;
}

}  // namespace clinic_audit::reachability::testing
