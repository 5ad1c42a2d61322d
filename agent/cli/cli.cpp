#include "cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <spdlog/spdlog.h>

#include "catalog.hpp"
#include "command_line.hpp"
#include "cli11_messages.hpp"
#include "color.hpp"
#include "error_stream.hpp"
#include "suggest.hpp"
#include "engine/pipeline.hpp"
#include "i18n.hpp"
#include "logging.hpp"
#include "policy/policy_loader.hpp"
#include "report/formats.hpp"
#include "signing.hpp"
#include "status.hpp"
#include "version.hpp"

namespace clinic_audit {
namespace {

// CLI11 messages can span lines; the design wants one line.
std::string one_line(std::string text) {
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// Report schemas: beside the sources in a build tree, else installed.
std::filesystem::path report_schema_directory() {
  const auto in_tree = policy_directory().parent_path() / "agent" / "schemas";
  if (std::filesystem::exists(in_tree / "report.xsd")) return in_tree;
  return policy_directory().parent_path() / "schemas";
}

// --lang fr|en anywhere on the command line, read before the help texts
// are built so that they are in that language too. The last one wins, as
// CLI11 would keep it; a bad value is left for CLI11 to refuse.
std::optional<std::string> language_option(int argc, char** argv) {
  std::optional<std::string> value;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--lang" && i + 1 < argc) value = argv[++i];
    else if (arg.starts_with("--lang=")) value = std::string(arg.substr(7));
  }
  return value;
}

// Language of everything the command prints: LANG & co., then --lang
// (agent.conf's <language> comes between them, when it is read).
void choose_cli_language(int argc, char** argv) {
  std::optional<std::string> problem =
      i18n::choose_language(i18n::language_from_environment(), i18n::Source::environment);
  if (const auto option = language_option(argc, argv)) {
    if (const auto language = i18n::parse_language(*option); language && (*option == "fr" || *option == "en")) {
      problem = i18n::choose_language(*language, i18n::Source::command_line);
    }
  }
  // Logging is not set up yet: say it once on stderr, in English (the
  // French catalog is what is missing).
  if (problem) std::cerr << "clinic-audit: warning: French messages unavailable (" << *problem << ")\n";
}

}  // namespace

int run_cli(int argc, char** argv, bool& must_exit_now) {
  install_stderr_filter();
  choose_cli_language(argc, argv);
  // Only the options of the subcommands this command line can reach are
  // set up (command_line.hpp; held to the full set-up by ca_cli_tests).
  CommandLine cli(OptionScope::for_arguments(argc, argv));
  CLI::App& app = cli.app;
  if (!known_subcommand(typed_subcommand(argc, argv, {"--color", "--lang"}), CommandLine::subcommand_names(),
                        std::cerr))
    return kExitUsage;

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (status_usage_is_nagios(argc, argv)) return status_usage_error(e.what(), std::cout);
    std::cerr << "clinic-audit: " << one_line(translate_cli11_message(e.what())) << ' '
              << _("(see clinic-audit --help)") << '\n';
    return kExitUsage;
  }
  if (cli.verbose && cli.quiet) {
    std::cerr << "clinic-audit: " << _("--verbose and --quiet exclude each other") << '\n';
    return kExitUsage;
  }
  const ColorMode color_mode = parse_color_mode(cli.color);
  setup_logging(cli.verbose ? Verbosity::verbose
                : cli.quiet ? Verbosity::quiet
                            : Verbosity::normal,
                use_color(color_mode, STDERR_FILENO));

  if (CommandLine::chosen(cli.version_cmd)) {
    std::cout << "clinic-audit " << kAgentVersion << '\n';
    return 0;
  }
  if (!cli.catalog_config.empty()) cli.catalog.config = cli.catalog_config;
  cli.catalog.root = cli.catalog_root;
  // Unknown policy ids: the valid ones and the nearest (loading still reports the error).
  const auto shipped_policies = shipped_policy_ids(policy_directory());
  check_policy_ids(CommandLine::chosen(cli.run_cmd) ? cli.run.policies : cli.catalog.policies, shipped_policies,
                   std::cerr);
  if (CommandLine::chosen(cli.status_cmd)) return run_status(cli.status, std::cout, std::cerr);
  if (CommandLine::chosen(cli.list_cmd)) return list_checks(cli.catalog, std::cout, std::cerr);
  if (CommandLine::chosen(cli.keygen_cmd)) {
    if (cli.rsa) cli.keygen.algorithm = signing::KeygenOptions::Algorithm::rsa;
    if (!cli.csr.empty()) cli.keygen.csr_path = cli.csr;
    return signing::run_keygen(cli.keygen, std::cout, std::cerr);
  }
  if (CommandLine::chosen(cli.verify_cmd)) {
    for (const auto& input : cli.verify_inputs) cli.verify.inputs.emplace_back(input);
    cli.verify.ca_file = cli.ca_file.empty() ? default_trust_anchor(std::cerr) : cli.ca_file;
    const auto schemas = report_schema_directory();
    cli.verify.xsd = schemas / "report.xsd";
    cli.verify.json_schema = schemas / "report.schema.json";
    return signing::run_verify(cli.verify, std::cout);
  }
  if (CommandLine::chosen(cli.explain_cmd)) return explain_check(cli.catalog, cli.check_id, std::cout, std::cerr);
  if (auto code = cli.delivery.run_if_chosen(std::cout, std::cerr)) return *code;

  // Reports name the audited root absolutely, whatever the working directory was.
  cli.run.root = std::filesystem::absolute(cli.root).lexically_normal();
  if (cli.run.root != "/" && cli.run.root.has_filename() == false) cli.run.root = cli.run.root.parent_path();
  if (!cli.config.empty()) cli.run.config = cli.config;
  if (!cli.out_dir.empty()) cli.run.out_dir = cli.out_dir;
  if (!cli.state_dir.empty()) cli.run.state_dir = cli.state_dir;
  cli.run.sign = !cli.no_sign;
  const bool text_to_terminal = !cli.run.out_dir && (cli.run.formats.empty() || cli.run.formats.front() == "text");
  cli.run.color = text_to_terminal && use_color(color_mode, STDOUT_FILENO);
  cli.run.progress = ::isatty(STDERR_FILENO) != 0 && !cli.quiet;
  return run_audit(cli.run, std::cout, std::cerr, must_exit_now);
}

}  // namespace clinic_audit
