#include "ssl_settings.hpp"
#include "i18n.hpp"

#include <openssl/ssl.h>
#include <strings.h>

#include "probe_cache.hpp"

namespace clinic_audit::openssl {
namespace {

std::optional<std::string> get_string(const ConfData& conf, const std::string& section, const char* name) {
  return conf.value(section, name);
}

std::vector<std::pair<std::string, std::string>> entries(const ConfData& conf, const std::string& section) {
  const ConfData::Section* found = conf.section(section);
  return found != nullptr ? found->values : std::vector<std::pair<std::string, std::string>>{};
}

bool has_section(const ConfData& conf, const std::string& section) { return conf.section(section) != nullptr; }

// conf_mod.c module_find(): a module entry is named by what precedes its last '.'.
bool is_ssl_module(const std::string& name) {
  const auto dot = name.rfind('.');
  return name.substr(0, dot) == "ssl_conf";
}

// The init section's ssl_conf entry (the last one wins: each load replaces the previous).
std::optional<std::pair<std::string, std::string>> ssl_module_entry(const ConfData& conf, const std::string& init) {
  std::optional<std::pair<std::string, std::string>> found;
  for (auto& entry : entries(conf, init)) {
    if (is_ssl_module(entry.first)) found = entry;
  }
  return found;
}

// SSL_CONF_cmd(3) commands whose argument names a file or directory
// (Certificate, VerifyCAFile, ...): applying them in the probe would read the
// auditor's files, not the image's, so they are left out of the synthesized
// configuration. None of them bears on the security level or protocols.
bool reads_files(const std::string& name) {
  // The commands whose value is no file name by ssl/ssl_conf.c's own table
  // (the probe cache's list, checked against this library by
  // SslSettings.CacheableCommandsReadNoFile): answered without loading
  // libssl, so that a warm audit loads no OpenSSL library (issue #19 item 5).
  if (is_cacheable_command(name)) return false;
  std::string bare = name;
  if (auto dot = bare.find('.'); dot != std::string::npos) bare.erase(0, dot + 1);
  SSL_CONF_CTX* cctx = SSL_CONF_CTX_new();
  if (cctx == nullptr) return true;
  SSL_CONF_CTX_set_flags(cctx,
                         SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE);
  const int type = SSL_CONF_cmd_value_type(cctx, bare.c_str());
  SSL_CONF_CTX_free(cctx);
  return type == SSL_CONF_TYPE_FILE || type == SSL_CONF_TYPE_DIR || type == SSL_CONF_TYPE_STORE;
}

// One ssl_conf section and the command sections it names, renamed.
std::string ssl_section(const ConfData& conf, const std::string& section, const std::string& local_name) {
  std::string text = "[" + local_name + "]\n";
  std::string commands;
  int index = 0;
  for (auto& [name, target] : entries(conf, section)) {
    // Every entry must name an existing section or ssl_module_init() fails:
    // keep missing ones missing.
    const std::string local = local_name + (has_section(conf, target) ? "_s" : "_missing") + std::to_string(++index);
    text += name + " = " + local + "\n";
    if (!has_section(conf, target)) continue;
    commands += "[" + local + "]\n";
    for (auto& [cmd, value] : entries(conf, target)) {
      if (!reads_files(cmd)) commands += cmd + " = " + quote_value(value) + "\n";
    }
  }
  return text + commands;
}

}  // namespace

const SslCommand* SslSettings::command(std::string_view name) const {
  const SslCommand* found = nullptr;
  for (const auto& cmd : commands) {
    std::string_view bare = cmd.name;
    if (auto dot = bare.find('.'); dot != std::string_view::npos) bare.remove_prefix(dot + 1);
    if (bare.size() == name.size() && strncasecmp(bare.data(), name.data(), name.size()) == 0) found = &cmd;
  }
  return found;
}

SslSettings extract_ssl_settings(const LoadedConfig& config) {
  SslSettings out;
  if (!config.conf) {
    out.missing_link = _("the configuration is not loaded");
    return out;
  }
  const ConfData& conf = *config.conf;
  auto init = get_string(conf, "default", "openssl_conf");
  if (!init) {
    out.missing_link = _("no 'openssl_conf' in the default section");
    return out;
  }
  out.openssl_conf = *init;
  out.openssl_conf_origin = config.origin_of("default", "openssl_conf");
  auto module = ssl_module_entry(conf, *init);
  if (!module) {
    out.missing_link = "no 'ssl_conf' in [" + *init + "]";
    return out;
  }
  out.ssl_conf = module->second;
  out.ssl_conf_origin = config.origin_of(*init, module->first);
  auto sd = get_string(conf, module->second, "system_default");
  if (!sd) {
    out.missing_link = "no 'system_default' in [" + module->second + "]";
    return out;
  }
  out.system_default = *sd;
  out.system_default_origin = config.origin_of(module->second, "system_default");
  if (!has_section(conf, *sd)) {
    out.missing_link = tr("section [{0}] named by system_default does not exist", *sd);
    return out;
  }
  out.has_system_default = true;
  for (auto& [name, value] : entries(conf, *sd)) {
    out.commands.push_back({name, value, config.origin_of(*sd, name)});
  }
  return out;
}

std::string quote_value(std::string_view value) {
  // Inside quotes str_copy() takes every character literally except that a
  // backslash escapes the next one; CR and LF cannot stay on the line, so they
  // are written outside the quotes as \r and \n escapes.
  std::string out = "'";
  for (char c : value) {
    if (c == '\n' || c == '\r') {
      out += (c == '\n') ? "'\\n'" : "'\\r'";
      continue;
    }
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string synthesize_ssl_config(const LoadedConfig& config) {
  if (!config.conf) return {};
  const ConfData& conf = *config.conf;
  // Names are copied as written; with dollarid on, a '$' in them stays part
  // of the name as it was when they were read (values are quoted anyway).
  std::string text = ".pragma dollarid:on\n";
  if (auto diag = get_string(conf, "default", "config_diagnostics")) {
    text += "config_diagnostics = " + quote_value(*diag) + "\n";
  }
  auto init = get_string(conf, "default", "openssl_conf");
  if (!init) return text;
  text += "openssl_conf = ca_init\n";
  if (!has_section(conf, *init)) return text;
  text += "[ca_init]\n";
  std::string sections;
  int index = 0;
  // CONF_modules_load() runs the modules in order and, with
  // config_diagnostics, stops at the first that fails: a broken module before
  // ssl_conf keeps the TLS settings from ever being applied. Other modules
  // are not run here (they may load code named by the image); each is
  // replaced by a stand-in that fails exactly when it would fail for a
  // missing section, and an unknown module (a DSO to load) always fails.
  for (auto& [module, value] : entries(conf, *init)) {
    ++index;
    if (is_ssl_module(module)) {
      const std::string ssl = "ca_ssl" + std::to_string(index);
      text += "ssl_conf = " + ssl + "\n";
      if (has_section(conf, value)) sections += ssl_section(conf, value, ssl);
      continue;
    }
    const auto dot = module.rfind('.');
    const std::string base = module.substr(0, dot);
    const bool known = base == "oid_section" || base == "stbl_section" || base == "engines" || base == "alg_section" ||
                       base == "providers" || base == "random";
    if (!known || !has_section(conf, value)) text += "providers = ca_failing_module" + std::to_string(index) + "\n";
  }
  return text + sections;
}

}  // namespace clinic_audit::openssl
