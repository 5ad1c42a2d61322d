// /etc/clinic-audit/collector.conf (DESIGN.md §7): XML validated against
// collector-config.xsd (compiled into the program).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace clinic_audit::collector {

inline constexpr const char* kDefaultCollectorConfig = "/etc/clinic-audit/collector.conf";
inline constexpr const char* kCollectorNamespace = "urn:clinic-audit:collector:1";

// A configuration that cannot be used: each message names file:line.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CollectorConfig {
  std::filesystem::path file;
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 8443;
  std::filesystem::path data_dir = "/var/lib/clinic-audit-collector";
  std::string database_url;                 // default sqlite:<data_dir>/collector.db
  std::filesystem::path tls_cert, tls_key;  // default data_dir/server.crt, server.key
  std::filesystem::path ca_cert, ca_key;    // default data_dir/ca.crt, ca.key
  bool enrolment = true;
  int certificate_days = 825;
  std::uint64_t body_bytes = 4 * 1024 * 1024;
  std::size_t connections = 1000;
  std::size_t pending_ingests = 256;
  unsigned threads = 0;  // 0: one per core
  int header_ms = 10000, body_ms = 60000, idle_ms = 60000;
  int stale_after_days = 3;
  int retention_days = 400;
};

// Parses configuration text (file is for messages and relative paths).
CollectorConfig parse_collector_config(std::string_view text, const std::filesystem::path& file);
// Reads and parses `file`; ConfigError when missing or unreadable too.
CollectorConfig load_collector_config(const std::filesystem::path& file);

// The schema text (also installed as /usr/share/clinic-audit/collector-config.xsd).
std::string_view collector_config_xsd();

}  // namespace clinic_audit::collector
