#include "collector_config.hpp"

#include <arpa/inet.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

namespace clinic_audit::collector {
namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

struct Errors {
  std::string file;
  std::vector<std::string> messages;
};

void collect_error(void* context, xmlErrorPtr error) {
  auto* errors = static_cast<Errors*>(context);
  std::string message = error->message != nullptr ? error->message : "error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  errors->messages.push_back(errors->file + ":" + std::to_string(error->line) + ": " + message);
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

xmlNode* element(xmlNode* root, const char* name) {
  for (xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, reinterpret_cast<const xmlChar*>(name))) return node;
  }
  return nullptr;
}

std::optional<std::string> attribute(xmlNode* node, const char* name) {
  if (node == nullptr) return std::nullopt;
  xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

std::string text_of(xmlNode* node) {
  xmlChar* value = xmlNodeGetContent(node);
  std::string text = value != nullptr ? reinterpret_cast<const char*>(value) : "";
  xmlFree(value);
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

// Values the schema typed already; this range check names the line when a
// number is too large for its use.
long long number(xmlNode* node, const char* name, long long fallback, long long max, const std::string& file) {
  const auto text = attribute(node, name);
  if (!text) return fallback;
  long long value = 0;
  try {
    value = std::stoll(*text);
  } catch (const std::exception&) {
    value = max + 1;
  }
  if (value > max) {
    throw ConfigError(file + ":" + std::to_string(xmlGetLineNo(node)) + ": " + name + "=\"" + *text +
                      "\" is larger than " + std::to_string(max));
  }
  return value;
}

std::filesystem::path resolve(const std::filesystem::path& value, const std::filesystem::path& base) {
  return (value.is_absolute() ? value : base / value).lexically_normal();
}

}  // namespace

CollectorConfig parse_collector_config(std::string_view text, const std::filesystem::path& file) {
  Errors errors{file.string(), {}};
  std::unique_ptr<xmlSchemaParserCtxt, decltype(&xmlSchemaFreeParserCtxt)> parser(
      xmlSchemaNewMemParserCtxt(collector_config_xsd().data(), static_cast<int>(collector_config_xsd().size())),
      xmlSchemaFreeParserCtxt);
  std::unique_ptr<xmlSchema, decltype(&xmlSchemaFree)> schema(xmlSchemaParse(parser.get()), xmlSchemaFree);
  if (!schema) throw std::logic_error("the built-in collector-config.xsd does not compile");

  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> context(xmlNewParserCtxt(), xmlFreeParserCtxt);
  std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(context.get(), text.data(), static_cast<int>(text.size()),
                                                         file.c_str(), nullptr,
                                                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) {
    if (xmlErrorPtr last = xmlCtxtGetLastError(context.get()); last != nullptr) collect_error(&errors, last);
    if (errors.messages.empty()) errors.messages.push_back(file.string() + ":1: not well-formed XML");
    throw ConfigError(join(errors.messages));
  }
  std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> validator(xmlSchemaNewValidCtxt(schema.get()),
                                                                                   xmlSchemaFreeValidCtxt);
  xmlSchemaSetValidStructuredErrors(validator.get(), collect_error, &errors);
  if (xmlSchemaValidateDoc(validator.get(), doc.get()) != 0) {
    if (errors.messages.empty()) errors.messages.push_back(file.string() + ":1: does not match collector-config.xsd");
    throw ConfigError(join(errors.messages));
  }

  CollectorConfig config;
  config.file = file;
  const std::string name = file.string();
  const std::filesystem::path base = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  xmlNode* listen = element(root, "listen");
  config.listen_address = attribute(listen, "address").value_or("0.0.0.0");
  // An address, not a name (the collector binds it; a name was an "Invalid
  // argument" at `serve`, exit 70, naming nothing).
  if (in6_addr address{}; inet_pton(AF_INET, config.listen_address.c_str(), &address) != 1 &&
                          inet_pton(AF_INET6, config.listen_address.c_str(), &address) != 1) {
    throw ConfigError(name + ":" + std::to_string(xmlGetLineNo(listen)) + ": <listen address=\"" +
                      config.listen_address + "\"> is not an IPv4 or IPv6 address (0.0.0.0 listens on all of them)");
  }
  config.listen_port = static_cast<std::uint16_t>(number(listen, "port", 8443, 65535, name));
  if (xmlNode* node = element(root, "data-dir")) config.data_dir = resolve(text_of(node), base);
  config.database_url = "sqlite:" + (config.data_dir / "collector.db").string();
  if (xmlNode* database = element(root, "database")) {
    const std::string url = attribute(database, "url").value_or("");
    const std::string where = name + ":" + std::to_string(xmlGetLineNo(database)) + ": <database url>: ";
    if (url.starts_with("sqlite:")) {
      if (url.size() == 7) throw ConfigError(where + "sqlite: names no file (sqlite:/path/collector.db)");
      // Relative to the configuration's directory, like every other path
      // here (under systemd the working directory is /).
      config.database_url = "sqlite:" + resolve(url.substr(7), base).string();
    } else if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
      config.database_url = url;
    } else {
      throw ConfigError(where + "expected sqlite:FILE or postgresql://...");
    }
  }
  xmlNode* tls = element(root, "tls");
  config.tls_cert = resolve(attribute(tls, "cert").value_or((config.data_dir / "server.crt").string()), base);
  config.tls_key = resolve(attribute(tls, "key").value_or((config.data_dir / "server.key").string()), base);
  xmlNode* ca = element(root, "ca");
  config.ca_cert = resolve(attribute(ca, "cert").value_or((config.data_dir / "ca.crt").string()), base);
  config.ca_key = resolve(attribute(ca, "key").value_or((config.data_dir / "ca.key").string()), base);
  if (xmlNode* enrolment = element(root, "enrolment")) {
    // xs:boolean, whose white space the schema collapses: " true " is true.
    std::string enabled = attribute(enrolment, "enabled").value_or("true");
    enabled.erase(0, enabled.find_first_not_of(" \t\r\n"));
    enabled.erase(enabled.find_last_not_of(" \t\r\n") + 1);
    config.enrolment = enabled == "true" || enabled == "1";
    config.certificate_days = static_cast<int>(number(enrolment, "certificate-days", 825, 36500, name));
  }
  if (xmlNode* limits = element(root, "limits")) {
    config.body_bytes = static_cast<std::uint64_t>(number(limits, "body-bytes", 4194304, 1LL << 30, name));
    config.connections = static_cast<std::size_t>(number(limits, "connections", 1000, 100000, name));
    config.pending_ingests = static_cast<std::size_t>(number(limits, "pending-ingests", 256, 100000, name));
    config.threads = static_cast<unsigned>(number(limits, "threads", 0, 256, name));
  }
  if (xmlNode* timeouts = element(root, "timeouts")) {
    config.header_ms = static_cast<int>(number(timeouts, "header-ms", 10000, 3600000, name));
    config.body_ms = static_cast<int>(number(timeouts, "body-ms", 60000, 3600000, name));
    config.idle_ms = static_cast<int>(number(timeouts, "idle-ms", 60000, 3600000, name));
  }
  config.stale_after_days = static_cast<int>(number(element(root, "stale-after"), "days", 3, 36500, name));
  config.retention_days = static_cast<int>(number(element(root, "retention"), "days", 400, 36500, name));
  return config;
}

CollectorConfig load_collector_config(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    throw ConfigError(file.string() + ":0: cannot read the configuration (missing or not a regular file)");
  }
  const auto size = std::filesystem::file_size(file, error);
  if (error || size > 1024 * 1024) throw ConfigError(file.string() + ":0: cannot read the configuration (over 1 MiB)");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw ConfigError(file.string() + ":0: cannot read the configuration");
  return parse_collector_config(text.str(), file);
}

}  // namespace clinic_audit::collector
