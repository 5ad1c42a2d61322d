#include "variable_report.hpp"

#include <set>

#include "common/shell_quote.hpp"

namespace clinic_audit {

std::vector<VariableRecord> variable_records(const Plan& plan) {
  std::vector<VariableRecord> out;
  for (std::size_t p = 0; p < plan.policies.size() && p < plan.variables.size(); ++p) {
    const Policy& policy = plan.policies[p];
    for (const auto& decl : policy.variables) {
      auto it = plan.variables[p].find(decl.name);
      if (it == plan.variables[p].end()) continue;
      const ResolvedVariable& v = it->second;
      VariableRecord record{policy.id, decl.name, v.value, v.origin_kind, v.source, {}, v.notes};
      for (const auto& d : v.agreeing) record.other_sources.push_back({d.value, d.source, d.kind, d.root_only, ""});
      for (const auto& r : v.rejected) {
        record.other_sources.push_back({r.found.value, r.found.source, r.found.kind, r.found.root_only, r.reason});
      }
      out.push_back(std::move(record));
    }
  }
  return out;
}

std::vector<ResultRecord> variable_findings(const Plan& plan) {
  std::vector<ResultRecord> out;
  std::set<std::string> reported;
  for (std::size_t p = 0; p < plan.policies.size() && p < plan.variables.size(); ++p) {
    const Policy& policy = plan.policies[p];
    for (const auto& decl : policy.variables) {
      auto it = plan.variables[p].find(decl.name);
      if (it == plan.variables[p].end() || it->second.rejected.empty()) continue;
      const ResolvedVariable& v = it->second;
      std::string key = decl.name + '\0' + v.value;
      for (const auto& r : v.rejected) key += '\0' + r.found.source;
      if (!reported.insert(key).second) continue;

      ResultRecord record;
      record.check_id = policy.id + ".variable." + decl.name;
      record.policy_id = policy.id;
      record.type = "discovery";
      record.title = "Every place on this machine that sets " + decl.name + " names the same plausible value";
      record.severity = Severity::high;
      record.status = Status::fail;
      record.summary = std::to_string(v.rejected.size()) + " value(s) of " + decl.name +
                       " found on this machine were not used; the audit used " + escape_control(v.value) + " (" +
                       v.origin_kind + ": " + escape_control(v.source) + ")";
      for (const auto& r : v.rejected) {
        record.evidence.push_back({r.found.path, r.found.line,
                                   r.found.kind + " sets " + decl.name + " to " + escape_control(r.found.value) +
                                       (r.found.root_only ? "" : " (a file not only root can change)") + ": " +
                                       r.reason,
                                   v.value});
      }
      record.remediation =
          "Find out which value is right before changing anything: a value in a file www-data can write (.htaccess, "
          "the MEDSHAKEEHRPATH file, anything under the EHR root) that differs from the root-owned configuration, "
          "or that holds shell syntax, may have been planted by whoever controls the web application. Then make "
          "every place name the directory where MedShakeEHR is installed: the vhost's SetEnv MEDSHAKEEHRPATH, "
          "public_html/.htaccess, public_html/MEDSHAKEEHRPATH and the Apicrypt sudo grants (visudo).";
      out.push_back(std::move(record));
    }
  }
  return out;
}

}  // namespace clinic_audit
