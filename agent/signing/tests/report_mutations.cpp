#include "report_mutations.hpp"

#include "render_json.hpp"
#include "report.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing::test {

using nlohmann::json;

// A report using every member the schema knows: variables with other
// sources, evidence with and without a line, commands, a waiver, French.
std::string rich_report() {
  Report report;
  report.report_id = "0f1e2d3c-4b5a-4697-8887-a6b5c4d3e2f1";
  report.agent_version = "0.1.0";
  report.lang = "fr";
  report.host = {"cabinet-1", "0123456789abcdef0123456789abcdef", "Debian GNU/Linux 12 (bookworm)"};
  report.run = {
      "2026-11-22T15:04:05.123Z", "2026-11-22T15:04:06Z", "post-upgrade", "/srv/root", 42, std::string(64, 'e'), 1.0};
  report.policies.push_back({"apicrypt-v1", "1", std::string(64, 'a'), "Apicrypt v1"});
  VariableRecord variable{
      "apicrypt-v1", "docroot", "/var/www", "discovered", "/etc/apache2/sites-enabled/a.conf:3", {}, {"une note", "é"}};
  variable.other_sources.push_back({"/srv/www", "/etc/apache2/x.conf:9", "Apache configuration", true, ""});
  variable.other_sources.push_back({"/tmp", ".htaccess:1", ".htaccess", false, "writable by www-data"});
  report.variables.push_back(variable);
  for (int i = 0; i < 6; ++i) {
    ResultRecord result;
    result.check_id = "apicrypt-v1.check_" + std::to_string(i);
    result.policy_id = "apicrypt-v1";
    result.type = "file";
    result.title = "Titre é " + std::to_string(i);
    result.severity = static_cast<Severity>(i % 5);
    result.status = static_cast<Status>(i % 6);
    result.summary = "résumé\tavec\nligne";
    result.evidence.push_back({"/etc/sudoers", i + 1, "observé", "attendu"});
    result.evidence.push_back({"", std::nullopt, "", ""});
    if (i % 2 == 0) result.remediation_commands = {"chmod 0755 '/usr/local/bin/tool'", "chown root:root /x"};
    result.remediation = "explication";
    result.duration_ms = i * 1000;
    if (i == 3) result.waiver_reason = "dérogation jusqu'au 2027-01-01";
    report.results.push_back(std::move(result));
  }
  return render_json(report);
}

std::vector<json> corpus() {
  std::vector<json> documents;
  documents.push_back(json::parse(sample_report("json", 1, std::nullopt)));
  documents.push_back(json::parse(sample_report("json", 7, std::string(64, 'b'))));
  documents.push_back(json::parse(rich_report()));
  return documents;
}

// Every way of spoiling one value that the schema's keywords can see.
std::vector<json> replacements(const json& value) {
  std::vector<json> out = {nullptr,
                           true,
                           false,
                           0,
                           1,
                           -1,
                           1.0,
                           1.5,
                           2147483648,
                           2147483647,
                           9223372036854775807LL,
                           json::parse("18446744073709551615"),
                           "",
                           "x",
                           "clinic-audit/report/1",
                           "en",
                           "fr",
                           "de",
                           "timer",
                           "high",
                           "fail",
                           "discovered",
                           "a",
                           "A",
                           "é",
                           "a\nb",
                           "a\x7f",
                           "_a",
                           "a.b_c-d",
                           std::string(128, 'a'),
                           std::string(129, 'a'),
                           std::string(64, 'f'),
                           std::string(64, 'F'),
                           std::string(63, 'f'),
                           "0f1e2d3c-4b5a-4697-8887-a6b5c4d3e2f1",
                           "0f1e2d3c-4b5a-4697-8887-a6b5c4d3e2f1\n",
                           "0F1E2D3C-4b5a-4697-8887-a6b5c4d3e2f1",
                           "2026-11-22T15:04:05Z",
                           "2026-11-22T15:04:05.5Z",
                           "2026-11-22T15:04:05.Z",
                           "2026-11-22 15:04:05Z",
                           "2026-11-22T15:04:05+01:00",
                           json::array(),
                           json::array({1}),
                           json::array({""}),
                           json::object(),
                           json::object({{"x", 1}})};
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    out.push_back(text + "\n");
    out.push_back(" " + text);
    out.push_back(text + "A");
    out.push_back(text.empty() ? text : text.substr(1));
  }
  return out;
}

void mutations(json& root, json& node, const std::function<void(const json&)>& each) {
  if (node.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : node.items()) keys.push_back(key);
    for (const auto& key : keys) {
      json saved = node[key];
      node.erase(key);
      each(root);
      node[key] = saved;
      for (const json& replacement : replacements(saved)) {
        node[key] = replacement;
        each(root);
      }
      node[key] = saved;
      mutations(root, node[key], each);
    }
    node["unknown_member"] = "x";
    each(root);
    node.erase("unknown_member");
  } else if (node.is_array() && !node.empty()) {
    const json saved = node;
    node.push_back(saved.front());
    each(root);
    node = json::array();
    each(root);
    node = saved;
    node.push_back("x");
    each(root);
    node = saved;
    // Items beyond the first three are like them: their mutations add nothing.
    for (std::size_t i = 0; i < node.size() && i < 3; ++i) {
      json item = node[i];
      for (const json& replacement : replacements(item)) {
        node[i] = replacement;
        each(root);
      }
      node[i] = item;
      mutations(root, node[i], each);
    }
  }
}

}  // namespace clinic_audit::signing::test
