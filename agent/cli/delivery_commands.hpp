// `clinic-audit enroll` and `clinic-audit submit` on the command line
// (DESIGN.md §4, §7): their options, and the settings they read from
// agent.conf (<collector>, <proxy>, <signing>) and the state directory.
#pragma once

#include <optional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace clinic_audit {

class DeliveryCommands {
 public:
  // What to set up of one subcommand (command_line.hpp: OptionScope).
  struct Setup {
    bool create = true;
    bool options = true;
  };
  // Adds the two subcommands to `app` as asked.
  void add_to(CLI::App& app, Setup enroll, Setup submit);
  // After parsing: the exit code of the chosen command, nullopt if neither.
  std::optional<int> run_if_chosen(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* enroll_ = nullptr;  // null when not created
  CLI::App* submit_ = nullptr;
  std::string config_, state_dir_, collector_, token_, fingerprint_;
  bool force_ = false;
};

}  // namespace clinic_audit
