// The TLS part of an OpenSSL configuration: config(5) "SSL Configuration".
//
// The library reads `openssl_conf` in the default section, the `ssl_conf`
// module of that section, and in the section it names the entry
// `system_default`, whose commands (SSL_CONF_cmd(3) names: CipherString,
// MinProtocol, CipherSuites...) are applied to every SSL_CTX created.
//
// Besides extracting them with their file and line, this builds the minimal
// configuration that holds just that chain, for the probe process to load
// with the real library: other modules (providers, engines) are left out on
// purpose because loading them would load code named by the audited image.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "conf_loader.hpp"

namespace clinic_audit::openssl {

struct SslCommand {
  std::string name;   // as written (may carry a "prefix." that OpenSSL ignores)
  std::string value;  // after NCONF expansion
  std::optional<Origin> origin;
};

struct SslSettings {
  // Each link of the chain: section name, where it was set. Empty when absent.
  std::string openssl_conf;
  std::optional<Origin> openssl_conf_origin;
  std::string ssl_conf;
  std::optional<Origin> ssl_conf_origin;
  std::string system_default;
  std::optional<Origin> system_default_origin;
  bool has_system_default = false;   // the chain leads to an existing section
  std::string missing_link;          // first broken link, in words (when !has_system_default)
  std::vector<SslCommand> commands;  // system_default's commands in the order OpenSSL applies them

  // The last command whose SSL_CONF_cmd name is `name` (case-insensitive, as
  // SSL_CONF_FLAG_FILE does; characters up to the first '.' are ignored).
  const SslCommand* command(std::string_view name) const;
};

SslSettings extract_ssl_settings(const LoadedConfig& config);

// A configuration text holding only config_diagnostics and the ssl_conf
// chain of `config`, values quoted so that NCONF reads them back unchanged.
std::string synthesize_ssl_config(const LoadedConfig& config);

// `value` as an NCONF value that expands back to exactly `value`.
std::string quote_value(std::string_view value);

}  // namespace clinic_audit::openssl
