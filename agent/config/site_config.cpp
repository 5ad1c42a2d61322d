#include "site_config.hpp"

#include <charconv>
#include <cerrno>
#include <set>

#include "agent_config_fast.hpp"
#include "common/host_file.hpp"
#include "common/text.hpp"
#include "i18n.hpp"
#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"
#include "policy/xml_document.hpp"

namespace clinic_audit {
namespace {
constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
constexpr int kMaxKeepReports = 100000;

// XML white space around an element's text or an attribute value (XML 1.0 §2.3).
std::string xml_trim(std::string_view text) { return std::string(trim(text, kXmlSpace)); }
// A number attribute the schema has already bounded; `fallback` when absent.
template <class Number>
void number_attribute(const XmlNode* node, const char* name, Number& value, const std::string& file,
                      std::vector<LoadError>& errors) {
  if (!has_attribute(node, name)) return;
  const std::string text = xml_trim(attribute(node, name));
  Number parsed{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc{} || ptr != text.data() + text.size() || parsed < 1) {
    errors.push_back({file, line_of(node), std::string(name) + " must be a positive whole number, not '" + text + "'"});
    return;
  }
  value = parsed;
}
}  // namespace

SiteConfig parse_site_config(std::string_view content, const std::filesystem::path& file,
                             const std::filesystem::path& xsd) {
  const std::string name = file.string();
  // A plainly written valid file is proved valid without libxml2 (issue #19
  // item 5, agent_config_fast.hpp); anything else is validated by libxml2.
  XmlDocument doc = XmlDocument::load(content, name, xsd, XmlDocument::Schema::validate, agent_config_certainly_valid);
  SiteConfig config;
  config.file = file;
  std::vector<LoadError> errors;
  std::set<std::string> waived;
  for (const XmlNode* node : child_elements(doc.root())) {
    const std::string element = node_name(node);
    if (element == "policy") {
      config.policies.push_back(xml_trim(text_of(node)));
    } else if (element == "variable") {
      const std::string var = attribute(node, "name");
      if (!config.variables.emplace(var, xml_trim(text_of(node))).second) {
        errors.push_back({name, line_of(node), "variable '" + var + "' is set more than once"});
      }
    } else if (element == "waiver") {
      // xs:date collapses surrounding white space; so must the comparison.
      Waiver waiver{attribute(node, "check"), xml_trim(attribute(node, "expires")), xml_trim(text_of(node)),
                    line_of(node)};
      if (waiver.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
        errors.push_back({name, line_of(node), "waiver for '" + waiver.check_id + "' needs a reason as its text"});
      }
      if (!waived.insert(waiver.check_id).second) {
        errors.push_back({name, line_of(node), "check '" + waiver.check_id + "' is waived more than once"});
      }
      config.waivers.push_back(std::move(waiver));
    } else if (element == "reports") {
      const std::string keep = xml_trim(attribute(node, "keep", "30"));
      int value = 0;
      const auto [ptr, ec] = std::from_chars(keep.data(), keep.data() + keep.size(), value);
      if (ec != std::errc{} || ptr != keep.data() + keep.size() || value < 1 || value > kMaxKeepReports) {
        errors.push_back({name, line_of(node),
                          "reports keep must be a whole number from 1 to " + std::to_string(kMaxKeepReports) +
                              ", not '" + keep + "'"});
      } else {
        config.keep_reports = value;
      }
    } else if (element == "proxy") {
      config.proxy = attribute(node, "url");
    } else if (element == "collector") {
      config.collector = attribute(node, "url");
      number_attribute(node, "retry-base-ms", config.delivery.retry_base_ms, name, errors);
      number_attribute(node, "retry-cap-ms", config.delivery.retry_cap_ms, name, errors);
      number_attribute(node, "max-attempts", config.delivery.max_attempts, name, errors);
      number_attribute(node, "max-run-seconds", config.delivery.max_run_seconds, name, errors);
      number_attribute(node, "timeout-seconds", config.delivery.timeout_seconds, name, errors);
      if (config.delivery.retry_cap_ms < config.delivery.retry_base_ms) {
        errors.push_back({name, line_of(node), "retry-cap-ms must not be smaller than retry-base-ms"});
      }
    } else if (element == "spool") {
      number_attribute(node, "max-reports", config.delivery.spool_max_reports, name, errors);
      number_attribute(node, "max-bytes", config.delivery.spool_max_bytes, name, errors);
    } else if (element == "signing") {
      if (has_attribute(node, "key")) config.signing_key = attribute(node, "key");
      if (has_attribute(node, "cert")) config.signing_cert = attribute(node, "cert");
      if (has_attribute(node, "chain")) config.signing_chain = attribute(node, "chain");
    } else if (element == "language") {
      config.language = xml_trim(text_of(node));
    }
  }
  if (!errors.empty()) throw LoadFailure(std::move(errors));
  return config;
}

SiteConfig load_site_config(const std::filesystem::path& file, bool explicit_path, const std::filesystem::path& xsd) {
  // Bounded and never blocking (a FIFO, /proc, a huge file: issue #20 item 8).
  std::string content;
  try {
    content = read_host_file(file, kMaxConfigBytes);
  } catch (const HostFileError& e) {
    if (e.error_number() == ENOENT) {
      if (!explicit_path) return SiteConfig{};
      throw LoadFailure({{file.string(), 0, "cannot read configuration: no such file"}});
    }
    const std::string reason = std::string(e.what()).substr(file.string().size() + 2);
    throw LoadFailure({{file.string(), 0, "cannot read configuration: " + reason}});
  }
  return parse_site_config(content, file, xsd);
}

void apply_site_language(const SiteConfig& config) {
  if (!config.language) return;
  if (const auto language = i18n::parse_language(*config.language)) {
    i18n::choose_language(*language, i18n::Source::site_configuration);
  }
}

std::filesystem::path config_schema_path() {
  auto dir = policy_directory();
  // Source tree: policies/ and agent/config/ are siblings; installed: schemas/.
  const auto in_source = dir.parent_path() / "agent" / "config" / "agent-config.xsd";
  if (std::filesystem::exists(in_source)) return in_source;
  return dir.parent_path() / "schemas" / "agent-config.xsd";
}

}  // namespace clinic_audit
