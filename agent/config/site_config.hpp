// The site configuration, /etc/clinic-audit/agent.conf (XML, agent-config.xsd):
// enabled policies, variable overrides, waivers, report retention, proxy,
// collector and signing identity.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit {

struct Waiver {
  std::string check_id;
  std::string expires;  // YYYY-MM-DD, last day it applies (UTC)
  std::string reason;
  int line = 0;
};

// <collector> and <spool> (agent-config.xsd): how `submit` delivers.
struct DeliverySettings {
  long retry_base_ms = 2000;
  long retry_cap_ms = 300000;
  long max_attempts = 8;
  long max_run_seconds = 900;
  long timeout_seconds = 30;
  long spool_max_reports = 1000;
  long long spool_max_bytes = 256LL << 20;
};

struct SiteConfig {
  std::filesystem::path file;  // empty when no configuration was read
  std::vector<std::string> policies;
  std::map<std::string, std::string> variables;
  std::vector<Waiver> waivers;
  int keep_reports = 30;
  std::optional<std::string> proxy;
  std::optional<std::string> collector;
  DeliverySettings delivery;
  std::optional<std::string> signing_key, signing_cert, signing_chain;
  std::optional<std::string> language;  // <language>: "fr" | "en" (issue #18)
};

// Makes the configuration's <language>, when set, the language of what
// follows, unless --lang chose (i18n::Source precedence).
void apply_site_language(const SiteConfig& config);

constexpr const char* kDefaultConfigPath = "/etc/clinic-audit/agent.conf";

// Parses configuration text; throws LoadFailure with numbered errors.
SiteConfig parse_site_config(std::string_view content, const std::filesystem::path& file,
                             const std::filesystem::path& xsd);
// Loads `file`. When `explicit_path` is false and the file does not exist,
// returns an empty configuration (a fresh install has none).
SiteConfig load_site_config(const std::filesystem::path& file, bool explicit_path, const std::filesystem::path& xsd);

// Where agent-config.xsd lives (source tree from a build, else installed).
std::filesystem::path config_schema_path();

}  // namespace clinic_audit
