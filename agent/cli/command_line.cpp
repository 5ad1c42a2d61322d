#include "command_line.hpp"

#include <algorithm>

#include "i18n.hpp"
#include "report/formats.hpp"
#include "version.hpp"

namespace clinic_audit {
namespace {

std::vector<std::string> format_names() {
  std::vector<std::string> names;
  for (const auto& format : report_formats()) names.emplace_back(format.name);
  return names;
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

OptionScope OptionScope::all() {
  OptionScope scope;
  scope.all_ = scope.listing_ = true;
  return scope;
}

OptionScope OptionScope::for_arguments(int argc, const char* const* argv) {
  OptionScope scope;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--help-all")) scope.all_ = true;
    // -h, --help, --help-all, and -vh: CLI11 splits clusters of short flags.
    if (arg.starts_with("--h") || (arg.starts_with("-") && !arg.starts_with("--") && arg.find('h') != arg.npos))
      scope.listing_ = true;
    scope.named_.emplace_back(arg);
  }
  return scope;
}

bool OptionScope::creates(std::string_view subcommand) const { return listing_ || wants(subcommand); }

bool OptionScope::wants(std::string_view subcommand) const {
  return all_ || std::find(named_.begin(), named_.end(), subcommand) != named_.end();
}

const std::vector<std::string>& CommandLine::subcommand_names() {
  static const std::vector<std::string> names{"run",    "list",   "explain", "keygen", "verify",
                                              "enroll", "submit", "version", "status"};
  return names;
}

CommandLine::CommandLine(const OptionScope& scope)
    : app(_("clinic-audit: compliance audit of clinic machines (MedShakeEHR, Apicrypt, e-KerMed)"), "clinic-audit") {
  translate_cli11_labels(app);
  app.require_subcommand(1);
  // --verbose/--quiet are accepted after the subcommand too (`clinic-audit run -v`).
  app.fallthrough();
  app.set_help_all_flag("--help-all", _("Help for every subcommand"));
  app.add_flag("-v,--verbose", verbose, _("Debug logging"));
  app.add_flag("-q,--quiet", quiet, _("Warnings and errors only"));
  app.add_option("--color", color, _("auto (on a terminal unless NO_COLOR is set), always or never"))
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--lang", lang_option,
                 _("Language of the output: fr or en (default: agent.conf's <language>, else LANG/LC_MESSAGES)"))
      ->check(CLI::IsMember({"fr", "en"}));
  app.set_version_flag("-V,--version", std::string("clinic-audit ") + kAgentVersion, _("Print the version and exit"));

  if (scope.creates("run")) run_cmd = app.add_subcommand("run", _("Audit this machine (or --root) against policies"));
  if (scope.wants("run")) {
    run_cmd->add_option("--policy", run.policies,
                        _("Policy id (apicrypt-v1, apicrypt-v2, ekermed) or file; repeatable"));
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
  }

  if (scope.creates("list"))
    list_cmd = app.add_subcommand("list", _("List the checks of the policies, with ids and titles"));
  if (scope.wants("list")) {
    list_cmd->add_option("--policy", catalog.policies, _("Policy id or file; repeatable"));
    list_cmd->add_option("--config", catalog_config, _("Site configuration"));
    list_cmd->add_option("--root", catalog_root, _("Resolve discovered variables inside DIR"))
        ->check(CLI::ExistingDirectory);
    list_cmd->add_flag("--types", catalog.types, _("List the check types instead"));
  }

  if (scope.creates("explain"))
    explain_cmd = app.add_subcommand("explain", _("Rationale, remediation and source of a check"));
  if (scope.wants("explain")) {
    explain_cmd->add_option("CHECK_ID", check_id, _("Check id (see clinic-audit list)"))->required();
    explain_cmd->add_option("--policy", catalog.policies, _("Policy id or file; repeatable"));
    explain_cmd->add_option("--config", catalog_config, _("Site configuration"));
    explain_cmd->add_option("--root", catalog_root, _("Resolve discovered variables inside DIR"))
        ->check(CLI::ExistingDirectory);
  }

  if (scope.creates("keygen"))
    keygen_cmd = app.add_subcommand("keygen", _("Create the agent key and a self-signed certificate or a CSR"));
  if (scope.wants("keygen")) {
    keygen_cmd->add_option("--key", keygen.key_path, _("Private key (default /etc/clinic-audit/agent.key, mode 0600)"));
    keygen_cmd->add_option("--cert", keygen.cert_path,
                           _("Self-signed certificate (default /etc/clinic-audit/agent.crt)"));
    keygen_cmd->add_option("--csr", csr, _("Write a certificate signing request for the regional CA instead"));
    keygen_cmd->add_flag("--rsa", rsa, _("RSA instead of ECDSA P-256"));
    keygen_cmd->add_option("--rsa-bits", keygen.rsa_bits, _("RSA key size (2048-16384, default 3072)"))
        ->check(CLI::Range(2048, 16384));
    keygen_cmd->add_flag("--force", keygen.force, _("Replace an existing key and certificate"));
  }

  if (scope.creates("verify"))
    verify_cmd =
        app.add_subcommand("verify",
                           _("Check report signatures, certificate chains, schemas and the sequence/hash chain"));
  if (scope.wants("verify")) {
    verify_cmd->add_option("REPORT", verify_inputs, _("Report files (or their .p7s) and/or directories"))->required();
    verify_cmd->add_option("--ca", ca_file, _("Trusted CA certificates, PEM (default /etc/clinic-audit/ca.crt)"));
  }

  delivery.add_to(app, {scope.creates("enroll"), scope.wants("enroll")},
                  {scope.creates("submit"), scope.wants("submit")});

  if (scope.creates("version")) version_cmd = app.add_subcommand("version", _("Print the version"));

  if (scope.creates("status")) status_cmd = add_status_subcommand(app, status, scope.wants("status"));
  for (auto* sub : app.get_subcommands({})) sub->group(_("Subcommands"));
}

}  // namespace clinic_audit
