#include "site_config.hpp"

#include <fstream>
#include <set>

#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"
#include "policy/xml_document.hpp"

namespace clinic_audit {
namespace {
constexpr std::uintmax_t kMaxConfigBytes = 1024 * 1024;
}

SiteConfig parse_site_config(std::string_view content, const std::filesystem::path& file,
                             const std::filesystem::path& xsd) {
  const std::string name = file.string();
  XmlDocument doc = XmlDocument::load(content, name, xsd);
  SiteConfig config;
  config.file = file;
  std::vector<LoadError> errors;
  std::set<std::string> waived;
  for (const xmlNode* node : child_elements(doc.root())) {
    const std::string element = node_name(node);
    if (element == "policy") {
      config.policies.push_back(text_of(node));
    } else if (element == "variable") {
      const std::string var = attribute(node, "name");
      if (!config.variables.emplace(var, text_of(node)).second) {
        errors.push_back({name, line_of(node), "variable '" + var + "' is set more than once"});
      }
    } else if (element == "waiver") {
      Waiver waiver{attribute(node, "check"), attribute(node, "expires"), text_of(node), line_of(node)};
      if (waiver.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
        errors.push_back({name, line_of(node), "waiver for '" + waiver.check_id + "' needs a reason as its text"});
      }
      if (!waived.insert(waiver.check_id).second) {
        errors.push_back({name, line_of(node), "check '" + waiver.check_id + "' is waived more than once"});
      }
      config.waivers.push_back(std::move(waiver));
    } else if (element == "reports") {
      config.keep_reports = std::stoi(attribute(node, "keep", "30"));
    } else if (element == "proxy") {
      config.proxy = attribute(node, "url");
    } else if (element == "collector") {
      config.collector = attribute(node, "url");
    } else if (element == "signing") {
      if (has_attribute(node, "key")) config.signing_key = attribute(node, "key");
      if (has_attribute(node, "cert")) config.signing_cert = attribute(node, "cert");
      if (has_attribute(node, "chain")) config.signing_chain = attribute(node, "chain");
    }
  }
  if (!errors.empty()) throw LoadFailure(std::move(errors));
  return config;
}

SiteConfig load_site_config(const std::filesystem::path& file, bool explicit_path,
                            const std::filesystem::path& xsd) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) {
    if (!explicit_path) return SiteConfig{};
    throw LoadFailure({{file.string(), 0, "cannot read configuration: no such file"}});
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw LoadFailure({{file.string(), 0, "cannot read configuration: not a regular file"}});
  }
  if (std::filesystem::file_size(file, ec) > kMaxConfigBytes) {
    throw LoadFailure({{file.string(), 0, "configuration larger than 1 MiB"}});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw LoadFailure({{file.string(), 0, "cannot read configuration: permission denied"}});
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_site_config(content, file, xsd);
}

std::filesystem::path config_schema_path() {
  auto dir = policy_directory();
  // Source tree: policies/ and agent/config/ are siblings; installed: schemas/.
  const auto in_source = dir.parent_path() / "agent" / "config" / "agent-config.xsd";
  if (std::filesystem::exists(in_source)) return in_source;
  return dir.parent_path() / "schemas" / "agent-config.xsd";
}

}  // namespace clinic_audit
