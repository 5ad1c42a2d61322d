#include "cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <spdlog/spdlog.h>

#include "catalog.hpp"
#include "engine/pipeline.hpp"
#include "logging.hpp"
#include "report/formats.hpp"
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

}  // namespace

int run_cli(int argc, char** argv, bool& must_exit_now) {
  CLI::App app{"clinic-audit: compliance audit of clinic machines (MedShakeEHR, Apicrypt, e-KerMed)", "clinic-audit"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, "Debug logging");
  app.add_flag("-q,--quiet", quiet, "Warnings and errors only");

  RunRequest run;
  std::string root = "/", out_dir, config, state_dir;
  bool no_sign = false;
  auto* run_cmd = app.add_subcommand("run", "Audit this machine (or --root) against policies");
  run_cmd->add_option("--policy", run.policies, "Policy id (apicrypt-v1, apicrypt-v2, ekermed) or file; repeatable");
  run_cmd->add_option("--root", root, "Audit the system mounted at DIR (every path resolved inside it)")->check(CLI::ExistingDirectory);
  run_cmd->add_option("--config", config, "Site configuration (default /etc/clinic-audit/agent.conf)");
  run_cmd->add_option("--format", run.formats, "text|json|xml|junit|nagios|prometheus; repeatable")
      ->check(CLI::IsMember(format_names()));
  run_cmd->add_option("--out", out_dir, "Write every format to DIR/clinic-audit-<host>-<UTC stamp>.<ext>");
  run_cmd->add_flag("--no-sign", no_sign, "Do not sign reports written with --out");
  run_cmd->add_flag("--offline", run.offline, "No network operation at all (DNS included); network checks are skipped");
  run_cmd->add_option("--only", run.only, "Run only this check id; repeatable");
  run_cmd->add_option("--trigger", run.trigger, "What started this run")
      ->check(CLI::IsMember({"manual", "timer", "post-upgrade"}));
  run_cmd->add_option("--state-dir", state_dir, "Sequence/hash-chain state directory (default /var/lib/clinic-audit)");

  CatalogRequest catalog;
  std::string catalog_config, catalog_root = "/";
  auto* list_cmd = app.add_subcommand("list", "List the checks of the policies, with ids and titles");
  list_cmd->add_option("--policy", catalog.policies, "Policy id or file; repeatable");
  list_cmd->add_option("--config", catalog_config, "Site configuration");
  list_cmd->add_option("--root", catalog_root, "Resolve discovered variables inside DIR")->check(CLI::ExistingDirectory);
  list_cmd->add_flag("--types", catalog.types, "List the check types instead");

  std::string check_id;
  auto* explain_cmd = app.add_subcommand("explain", "Rationale, remediation and source of a check");
  explain_cmd->add_option("CHECK_ID", check_id, "Check id (see clinic-audit list)")->required();
  explain_cmd->add_option("--policy", catalog.policies, "Policy id or file; repeatable");
  explain_cmd->add_option("--config", catalog_config, "Site configuration");
  explain_cmd->add_option("--root", catalog_root, "Resolve discovered variables inside DIR")->check(CLI::ExistingDirectory);

  app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "clinic-audit: " << one_line(e.what()) << " (see clinic-audit --help)\n";
    return kExitUsage;
  }
  if (verbose && quiet) {
    std::cerr << "clinic-audit: --verbose and --quiet exclude each other\n";
    return kExitUsage;
  }
  setup_logging(verbose ? Verbosity::verbose : quiet ? Verbosity::quiet : Verbosity::normal);

  if (app.got_subcommand("version")) {
    std::cout << "clinic-audit " << kAgentVersion << '\n';
    return 0;
  }
  if (!catalog_config.empty()) catalog.config = catalog_config;
  catalog.root = catalog_root;
  if (app.got_subcommand(list_cmd)) return list_checks(catalog, std::cout, std::cerr);
  if (app.got_subcommand(explain_cmd)) return explain_check(catalog, check_id, std::cout, std::cerr);

  // Reports name the audited root absolutely, whatever the working directory was.
  run.root = std::filesystem::absolute(root).lexically_normal();
  if (run.root != "/" && run.root.has_filename() == false) run.root = run.root.parent_path();
  if (!config.empty()) run.config = config;
  if (!out_dir.empty()) run.out_dir = out_dir;
  if (!state_dir.empty()) run.state_dir = state_dir;
  run.sign = !no_sign;
  const bool text_to_terminal = !run.out_dir && (run.formats.empty() || run.formats.front() == "text");
  run.color = text_to_terminal && ::isatty(STDOUT_FILENO) != 0;
  run.progress = ::isatty(STDERR_FILENO) != 0 && !quiet;
  return run_audit(run, std::cout, std::cerr, must_exit_now);
}

}  // namespace clinic_audit
