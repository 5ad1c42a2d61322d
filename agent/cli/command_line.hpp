// The command line's definition (DESIGN.md §4): every subcommand, and the
// options of those an invocation can reach. CLI11 spends about 1 M
// instructions building every subcommand's options (issue #19 item 5); a
// run needs one subcommand's, so OptionScope says which to build.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"
#include "delivery_commands.hpp"
#include "engine/pipeline.hpp"
#include "signing.hpp"
#include "status.hpp"

namespace clinic_audit {

// The subcommands set up, and those set up with their options. CLI11 (2.1,
// no prefix matching, ignore_case or aliases set here) enters a subcommand
// only on an argument that is exactly its name, lists the subcommands only in
// help screens and prints another subcommand's options only for --help-all.
// So: the subcommands named by some argument with their options; every
// subcommand when an argument may ask for help (-h, --help, --help-all, a
// cluster of short flags with h), with every one's options for --help-all.
// Any other subcommand is not created: no parse can reach or print it.
class OptionScope {
 public:
  static OptionScope all();
  static OptionScope for_arguments(int argc, const char* const* argv);
  // The subcommand exists in the parser.
  bool creates(std::string_view subcommand) const;
  // ... with its options.
  bool wants(std::string_view subcommand) const;

 private:
  bool all_ = false, listing_ = false;
  std::vector<std::string> named_;
};

// The parser and the variables its options write into.
struct CommandLine {
  explicit CommandLine(const OptionScope& scope);
  // Every subcommand's name, in the order of the help screen, created or not.
  static const std::vector<std::string>& subcommand_names();
  // `sub` was created and chosen on the command line.
  static bool chosen(const CLI::App* sub) { return sub != nullptr && sub->parsed(); }
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  CLI::App app;
  bool verbose = false, quiet = false;
  std::string color = "auto";
  std::string lang_option;

  RunRequest run;
  std::string root = "/", out_dir, config, state_dir;
  bool no_sign = false;
  CLI::App* run_cmd = nullptr;  // null when not created (OptionScope), as the others

  CatalogRequest catalog;
  std::string catalog_config, catalog_root = "/";
  CLI::App* list_cmd = nullptr;
  std::string check_id;
  CLI::App* explain_cmd = nullptr;

  signing::KeygenOptions keygen;
  bool rsa = false;
  std::string csr;
  CLI::App* keygen_cmd = nullptr;

  signing::VerifyOptions verify;
  std::vector<std::string> verify_inputs;
  std::string ca_file;  // default: ca.crt, else agent.crt (default_trust_anchor)
  CLI::App* verify_cmd = nullptr;

  DeliveryCommands delivery;  // enroll, submit

  StatusRequest status;
  CLI::App* status_cmd = nullptr;
  CLI::App* version_cmd = nullptr;
};

}  // namespace clinic_audit
