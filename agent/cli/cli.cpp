#include "cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <spdlog/spdlog.h>

#include "catalog.hpp"
#include "cli11_messages.hpp"
#include "color.hpp"
#include "error_stream.hpp"
#include "suggest.hpp"
#include "delivery_commands.hpp"
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

std::vector<std::string> format_names() {
  std::vector<std::string> names;
  for (const auto& format : report_formats()) names.emplace_back(format.name);
  return names;
}

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

// CLI11's own words in the help screens.
void translate_cli11_labels(CLI::App& app) {
  auto formatter = app.get_formatter();
  formatter->label("Usage", _("Usage"));
  formatter->label("OPTIONS", _("OPTIONS"));
  formatter->label("SUBCOMMAND", _("SUBCOMMAND"));
  formatter->label("SUBCOMMANDS", _("SUBCOMMANDS"));
  formatter->label("REQUIRED", _("REQUIRED"));
  formatter->label("Positionals", _("Positionals"));
  formatter->label("TEXT", _("TEXT"));
  formatter->label("INT", _("INT"));
  formatter->label("Excludes", _("Excludes"));
  formatter->label("Needs", _("Needs"));
  app.option_defaults()->group(_("Options"));
  app.set_help_flag("-h,--help", _("Print this help message and exit"));
}

}  // namespace

int run_cli(int argc, char** argv, bool& must_exit_now) {
  install_stderr_filter();
  choose_cli_language(argc, argv);
  CLI::App app{_("clinic-audit: compliance audit of clinic machines (MedShakeEHR, Apicrypt, e-KerMed)"),
               "clinic-audit"};
  translate_cli11_labels(app);
  app.require_subcommand(1);
  // --verbose/--quiet are accepted after the subcommand too (`clinic-audit run -v`).
  app.fallthrough();
  app.set_help_all_flag("--help-all", _("Help for every subcommand"));
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, _("Debug logging"));
  app.add_flag("-q,--quiet", quiet, _("Warnings and errors only"));
  std::string color = "auto";
  app.add_option("--color", color, _("auto (on a terminal unless NO_COLOR is set), always or never"))
      ->check(CLI::IsMember({"auto", "always", "never"}));
  std::string lang_option;
  app.add_option("--lang", lang_option,
                 _("Language of the output: fr or en (default: agent.conf's <language>, else LANG/LC_MESSAGES)"))
      ->check(CLI::IsMember({"fr", "en"}));
  app.set_version_flag("-V,--version", std::string("clinic-audit ") + kAgentVersion, _("Print the version and exit"));

  RunRequest run;
  std::string root = "/", out_dir, config, state_dir;
  bool no_sign = false;
  auto* run_cmd = app.add_subcommand("run", _("Audit this machine (or --root) against policies"));
  run_cmd->add_option("--policy", run.policies, _("Policy id (apicrypt-v1, apicrypt-v2, ekermed) or file; repeatable"));
  run_cmd->add_option("--root", root, _("Audit the system mounted at DIR (every path resolved inside it)"))
      ->check(CLI::ExistingDirectory);
  run_cmd->add_option("--config", config, _("Site configuration (default /etc/clinic-audit/agent.conf)"));
  run_cmd->add_option("--format", run.formats, _("text|json|xml|junit|nagios|prometheus; repeatable"))
      ->check(CLI::IsMember(format_names()));
  run_cmd->add_option("--out", out_dir, _("Write every format to DIR/clinic-audit-<host>-<UTC stamp>.<ext>"));
  run_cmd->add_flag("--no-sign", no_sign, _("Do not sign reports written with --out"));
  run_cmd->add_flag("--offline", run.offline,
                    _("No network operation at all (DNS included); network checks are skipped"));
  run_cmd->add_option("--only", run.only, _("Run only this check id; repeatable"));
  run_cmd->add_option("--trigger", run.trigger, _("What started this run"))
      ->check(CLI::IsMember({"manual", "timer", "post-upgrade"}));
  run_cmd->add_option("--state-dir", state_dir,
                      _("Sequence/hash-chain state directory (default /var/lib/clinic-audit)"));

  CatalogRequest catalog;
  std::string catalog_config, catalog_root = "/";
  auto* list_cmd = app.add_subcommand("list", _("List the checks of the policies, with ids and titles"));
  list_cmd->add_option("--policy", catalog.policies, _("Policy id or file; repeatable"));
  list_cmd->add_option("--config", catalog_config, _("Site configuration"));
  list_cmd->add_option("--root", catalog_root, _("Resolve discovered variables inside DIR"))
      ->check(CLI::ExistingDirectory);
  list_cmd->add_flag("--types", catalog.types, _("List the check types instead"));

  std::string check_id;
  auto* explain_cmd = app.add_subcommand("explain", _("Rationale, remediation and source of a check"));
  explain_cmd->add_option("CHECK_ID", check_id, _("Check id (see clinic-audit list)"))->required();
  explain_cmd->add_option("--policy", catalog.policies, _("Policy id or file; repeatable"));
  explain_cmd->add_option("--config", catalog_config, _("Site configuration"));
  explain_cmd->add_option("--root", catalog_root, _("Resolve discovered variables inside DIR"))
      ->check(CLI::ExistingDirectory);

  signing::KeygenOptions keygen;
  bool rsa = false;
  std::string csr;
  auto* keygen_cmd = app.add_subcommand("keygen", _("Create the agent key and a self-signed certificate or a CSR"));
  keygen_cmd->add_option("--key", keygen.key_path, _("Private key (default /etc/clinic-audit/agent.key, mode 0600)"));
  keygen_cmd->add_option("--cert", keygen.cert_path,
                         _("Self-signed certificate (default /etc/clinic-audit/agent.crt)"));
  keygen_cmd->add_option("--csr", csr, _("Write a certificate signing request for the regional CA instead"));
  keygen_cmd->add_flag("--rsa", rsa, _("RSA instead of ECDSA P-256"));
  keygen_cmd->add_option("--rsa-bits", keygen.rsa_bits, _("RSA key size (2048-16384, default 3072)"))
      ->check(CLI::Range(2048, 16384));
  keygen_cmd->add_flag("--force", keygen.force, _("Replace an existing key and certificate"));

  signing::VerifyOptions verify;
  std::vector<std::string> verify_inputs;
  std::string ca_file;  // default: ca.crt, else agent.crt (default_trust_anchor)
  auto* verify_cmd =
      app.add_subcommand("verify",
                         _("Check report signatures, certificate chains, schemas and the sequence/hash chain"));
  verify_cmd->add_option("REPORT", verify_inputs, _("Report files (or their .p7s) and/or directories"))->required();
  verify_cmd->add_option("--ca", ca_file, _("Trusted CA certificates, PEM (default /etc/clinic-audit/ca.crt)"));

  DeliveryCommands delivery(app);  // enroll, submit

  app.add_subcommand("version", _("Print the version"));

  StatusRequest status;
  auto* status_cmd = add_status_subcommand(app, status);
  for (auto* sub : app.get_subcommands({})) sub->group(_("Subcommands"));

  std::vector<std::string> subcommand_names;
  for (const auto* sub : app.get_subcommands({})) subcommand_names.push_back(sub->get_name());
  if (!known_subcommand(typed_subcommand(argc, argv, {"--color", "--lang"}), subcommand_names, std::cerr))
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
  if (verbose && quiet) {
    std::cerr << "clinic-audit: " << _("--verbose and --quiet exclude each other") << '\n';
    return kExitUsage;
  }
  const ColorMode color_mode = parse_color_mode(color);
  setup_logging(verbose ? Verbosity::verbose
                : quiet ? Verbosity::quiet
                        : Verbosity::normal,
                use_color(color_mode, STDERR_FILENO));

  if (app.got_subcommand("version")) {
    std::cout << "clinic-audit " << kAgentVersion << '\n';
    return 0;
  }
  if (!catalog_config.empty()) catalog.config = catalog_config;
  catalog.root = catalog_root;
  // Unknown policy ids: the valid ones and the nearest (loading still reports the error).
  const auto shipped_policies = shipped_policy_ids(policy_directory());
  check_policy_ids(app.got_subcommand(run_cmd) ? run.policies : catalog.policies, shipped_policies, std::cerr);
  if (app.got_subcommand(status_cmd)) return run_status(status, std::cout, std::cerr);
  if (app.got_subcommand(list_cmd)) return list_checks(catalog, std::cout, std::cerr);
  if (app.got_subcommand(keygen_cmd)) {
    if (rsa) keygen.algorithm = signing::KeygenOptions::Algorithm::rsa;
    if (!csr.empty()) keygen.csr_path = csr;
    return signing::run_keygen(keygen, std::cout, std::cerr);
  }
  if (app.got_subcommand(verify_cmd)) {
    for (const auto& input : verify_inputs) verify.inputs.emplace_back(input);
    verify.ca_file = ca_file.empty() ? default_trust_anchor(std::cerr) : ca_file;
    const auto schemas = report_schema_directory();
    verify.xsd = schemas / "report.xsd";
    verify.json_schema = schemas / "report.schema.json";
    return signing::run_verify(verify, std::cout);
  }
  if (app.got_subcommand(explain_cmd)) return explain_check(catalog, check_id, std::cout, std::cerr);
  if (auto code = delivery.run_if_chosen(std::cout, std::cerr)) return *code;

  // Reports name the audited root absolutely, whatever the working directory was.
  run.root = std::filesystem::absolute(root).lexically_normal();
  if (run.root != "/" && run.root.has_filename() == false) run.root = run.root.parent_path();
  if (!config.empty()) run.config = config;
  if (!out_dir.empty()) run.out_dir = out_dir;
  if (!state_dir.empty()) run.state_dir = state_dir;
  run.sign = !no_sign;
  const bool text_to_terminal = !run.out_dir && (run.formats.empty() || run.formats.front() == "text");
  run.color = text_to_terminal && use_color(color_mode, STDOUT_FILENO);
  run.progress = ::isatty(STDERR_FILENO) != 0 && !quiet;
  return run_audit(run, std::cout, std::cerr, must_exit_now);
}

}  // namespace clinic_audit
