#include "run_inputs.hpp"

#include <spdlog/spdlog.h>

#include <ostream>

#include "i18n.hpp"
#include "pipeline.hpp"  // exit codes
#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"

namespace clinic_audit {
namespace {

// Under --root without --config, the audited image's own site configuration
// applies (issue #17 item 4): its variables and waivers describe that
// machine. It is read through RootFs (symlinks stay inside the image);
// signing settings name files of that machine and are not used here.
std::optional<int> load_image_config(const RootFs& fs, SiteConfig& config, std::ostream& err,
                                     const InputOptions& options) {
  const std::string display = (fs.root() / "etc/clinic-audit/agent.conf").string();
  std::optional<std::string> content;
  try {
    content = fs.read_file_if_exists(kDefaultConfigPath, 1024 * 1024);
  } catch (const FsError& e) {
    err << _("clinic-audit: invalid configuration") << '\n' << tr("{0}: cannot read: {1}", display, e.what()) << '\n';
    return kExitBadInput;
  }
  if (!content) {
    if (options.log_steps)
      spdlog::info("{}", tr("no site configuration in the audited root ({0}): using defaults", display));
    return std::nullopt;
  }
  if (options.log_steps) spdlog::info("{}", tr("loading the audited root's configuration {0}", display));
  try {
    config = parse_site_config(*content, display, config_schema_path());
    apply_site_language(config);
  } catch (const LoadFailure& e) {
    err << _("clinic-audit: invalid configuration") << '\n' << e.what() << '\n';
    return kExitBadInput;
  }
  config.signing_key.reset();
  config.signing_cert.reset();
  config.signing_chain.reset();
  return std::nullopt;
}

}  // namespace

std::optional<int> load_run_config(const RootFs& fs, const std::optional<std::filesystem::path>& explicit_config,
                                   SiteConfig& config, std::ostream& err, const InputOptions& options) {
  if (!explicit_config && !fs.is_live()) return load_image_config(fs, config, err, options);
  const bool explicit_path = explicit_config.has_value();
  const std::filesystem::path path = explicit_path ? *explicit_config : kDefaultConfigPath;
  if (options.log_steps) spdlog::info("{}", tr("loading configuration {0}", path.string()));
  try {
    config = load_site_config(path, explicit_path, config_schema_path());
    apply_site_language(config);
    if (config.file.empty() && options.log_steps)
      spdlog::info("{}", tr("no site configuration at {0}: using defaults", path.string()));
  } catch (const LoadFailure& e) {
    err << _("clinic-audit: invalid configuration") << '\n' << e.what() << '\n';
    return kExitBadInput;
  }
  return std::nullopt;
}

std::optional<int> load_selected_policies(const std::vector<std::string>& requested, const SiteConfig& config,
                                          std::vector<Policy>& policies, std::ostream& err,
                                          const InputOptions& options) {
  const auto dir = policy_directory();
  std::vector<std::string> specs = requested;
  if (specs.empty()) specs = config.policies;
  if (specs.empty()) {
    specs = shipped_policy_ids(dir);
    if (options.log_steps)
      spdlog::info("{}", _("no policy given or enabled in the configuration: running every shipped policy"));
  }
  if (specs.empty()) {
    err << tr("clinic-audit: no policy to run (none in {0})", dir.string()) << '\n';
    return kExitBadInput;
  }
  const auto xsd = dir / "policy.xsd";
  std::vector<LoadError> errors;
  for (const auto& spec : specs) {
    const auto file = locate_policy(spec, dir);
    if (options.log_steps) spdlog::info("{}", tr("loading policy {0}", file.string()));
    try {
      policies.push_back(load_policy_file(file, xsd));
    } catch (const LoadFailure& e) {
      errors.insert(errors.end(), e.errors().begin(), e.errors().end());
    }
  }
  if (!errors.empty()) {
    err << _("clinic-audit: invalid policy") << '\n' << format_load_errors(errors) << '\n';
    return kExitBadInput;
  }
  return std::nullopt;
}

std::optional<int> plan_policies(std::vector<Policy> policies, const SiteConfig& config, const RootFs& fs,
                                 std::optional<Plan>& plan, std::ostream& err) {
  try {
    plan = build_plan(std::move(policies), config, fs);
  } catch (const LoadFailure& e) {
    err << _("clinic-audit: invalid policy") << '\n' << e.what() << '\n';
    return kExitBadInput;
  }
  return std::nullopt;
}

}  // namespace clinic_audit
