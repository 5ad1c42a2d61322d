#include "delivery_commands.hpp"

#include <CLI/CLI.hpp>

#include "i18n.hpp"
#include "config/site_config.hpp"
#include "engine/pipeline.hpp"
#include "enroll.hpp"
#include "policy/load_error.hpp"
#include "report_store.hpp"
#include "signing_error.hpp"
#include "submit.hpp"

namespace clinic_audit {
namespace {

struct Common {
  SiteConfig config;
  std::filesystem::path state_dir, key, cert, ca;
};

// agent.conf (an explicit --config must exist) and where the identity lives:
// <signing key= cert=>, default /etc/clinic-audit/; ca.crt beside agent.crt.
std::optional<Common> load_common(const std::string& config, const std::string& state_dir, std::ostream& err) {
  Common common;
  const bool explicit_path = !config.empty();
  const std::filesystem::path path =
      explicit_path ? std::filesystem::path(config) : std::filesystem::path(kDefaultConfigPath);
  try {
    common.config = load_site_config(path, explicit_path, config_schema_path());
    apply_site_language(common.config);
  } catch (const LoadFailure& e) {
    err << _("clinic-audit: invalid configuration") << '\n' << e.what() << '\n';
    return std::nullopt;
  }
  common.state_dir = state_dir.empty() ? std::filesystem::path(kDefaultStateDir) : std::filesystem::path(state_dir);
  common.key = common.config.signing_key.value_or(kDefaultKeyPath);
  common.cert = common.config.signing_cert.value_or(kDefaultCertPath);
  common.ca = common.config.signing_cert ? std::filesystem::path(*common.config.signing_cert).parent_path() / "ca.crt"
                                         : std::filesystem::path(kDefaultCaPath);
  return common;
}

}  // namespace

void DeliveryCommands::add_to(CLI::App& app, Setup enroll, Setup submit) {
  if (enroll.create)
    enroll_ = app.add_subcommand("enroll", _("Get this machine's certificate from the regional collector"));
  if (enroll.options) {
    enroll_->add_option("--collector", collector_, _("Collector URL, https://HOST[:PORT]"))->required();
    enroll_->add_option("--token", token_, _("Enrolment token (clinic-audit-collector token create)"))->required();
    enroll_->add_option("--ca-fingerprint", fingerprint_,
                        _("SHA-256 fingerprint of the regional CA certificate (first contact)"));
    enroll_->add_flag("--force", force_, _("Replace the certificate of an enrolled machine (the key is kept)"));
  }
  if (submit.create) submit_ = app.add_subcommand("submit", _("Send spooled reports to the collector, oldest first"));
  if (submit.options) {
    submit_->add_option("--collector", collector_,
                        _("Collector URL (default: agent.conf <collector>, else the enrolled one)"));
  }
  for (const auto& [command, wanted] : {std::pair{enroll_, enroll.options}, std::pair{submit_, submit.options}}) {
    if (!wanted) continue;
    command->add_option("--config", config_, _("Site configuration (default /etc/clinic-audit/agent.conf)"));
    command->add_option("--state-dir", state_dir_, _("Agent state directory (default /var/lib/clinic-audit)"));
  }
}

std::optional<int> DeliveryCommands::run_if_chosen(std::ostream& out, std::ostream& err) const {
  const bool enroll_chosen = enroll_ != nullptr && enroll_->parsed();
  if (!enroll_chosen && (submit_ == nullptr || !submit_->parsed())) return std::nullopt;
  const auto common = load_common(config_, state_dir_, err);
  if (!common) return kExitBadInput;
  const DeliverySettings& d = common->config.delivery;
  if (enroll_chosen) {
    delivery::EnrollSettings settings;
    settings.collector_url = collector_;
    settings.token = token_;
    if (!fingerprint_.empty()) settings.ca_fingerprint = fingerprint_;
    settings.force = force_;
    settings.proxy = common->config.proxy;
    settings.state_dir = common->state_dir;
    settings.key = common->key;
    settings.cert = common->cert;
    settings.ca = common->ca;
    settings.step_timeout = std::chrono::seconds(d.timeout_seconds);
    return delivery::run_enroll(settings, out, err);
  }
  delivery::SubmitSettings settings;
  // --collector, else agent.conf's <collector> (the administrator's), else
  // the URL `enroll` recorded in the state directory.
  std::optional<std::string> url;
  if (!collector_.empty()) url = collector_;
  if (!url) url = common->config.collector;
  try {
    if (!url) url = store::read_collector_record(common->state_dir);
  } catch (const signing::SigningError& e) {
    err << "clinic-audit: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (!url) {
    const store::Spool spool(store::spool_directory(common->state_dir));
    if (spool.entries().empty() && spool.waiting().empty()) {
      out << _("nothing to submit: no collector is configured and the spool is empty") << '\n';
      return 0;
    }
    err << tr("clinic-audit: reports wait in {0} but no collector is known: run `clinic-audit enroll --collector URL "
              "--token T` or set <collector url=...> in agent.conf",
              store::spool_directory(common->state_dir).string())
        << '\n';
    return kExitBadInput;
  }
  settings.collector_url = *url;
  settings.proxy = common->config.proxy;
  settings.state_dir = common->state_dir;
  settings.key = common->key;
  settings.cert = common->cert;
  settings.ca = common->ca;
  settings.retry_base = std::chrono::milliseconds(d.retry_base_ms);
  settings.retry_cap = std::chrono::milliseconds(d.retry_cap_ms);
  settings.max_attempts = static_cast<int>(d.max_attempts);
  settings.max_run = std::chrono::seconds(d.max_run_seconds);
  settings.spool_limits.max_reports = static_cast<std::size_t>(d.spool_max_reports);
  settings.spool_limits.max_bytes = static_cast<std::uint64_t>(d.spool_max_bytes);
  settings.step_timeout = std::chrono::seconds(d.timeout_seconds);
  return delivery::run_submit(settings, out, err);
}

}  // namespace clinic_audit
