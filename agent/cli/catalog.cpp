#include "catalog.hpp"

#include <ostream>

#include "engine/plan.hpp"
#include "engine/run_inputs.hpp"
#include "registry.hpp"

namespace clinic_audit {
namespace {

// Loads and plans the requested policies by `run`'s own steps (same
// configuration, same errors, same variable resolution) so that `explain`
// shows the values `run` would use.
std::optional<Plan> load_plan(const CatalogRequest& request, RootFs& fs, std::ostream& err, int& code) {
  const InputOptions quiet{.log_steps = false};
  SiteConfig config;
  std::vector<Policy> policies;
  std::optional<Plan> plan;
  std::optional<int> failed = load_run_config(fs, request.config, config, err, quiet);
  if (!failed) failed = load_selected_policies(request.policies, config, policies, err, quiet);
  if (!failed) failed = plan_policies(std::move(policies), config, fs, plan, err);
  if (failed) {
    code = *failed;
    return std::nullopt;
  }
  return plan;
}

std::unique_ptr<RootFs> open_root(const CatalogRequest& request, std::ostream& err) {
  try {
    return std::make_unique<RootFs>(request.root);
  } catch (const FsError& e) {
    err << "clinic-audit: --root " << request.root.string() << ": " << e.what() << '\n';
    return nullptr;
  }
}

}  // namespace

int list_checks(const CatalogRequest& request, std::ostream& out, std::ostream& err) {
  if (request.types) {
    for (const auto& type : check_types()) {
      out << type.name << "\t" << type.description << (type.uses_network ? " [network]" : "") << '\n';
    }
    return 0;
  }
  std::unique_ptr<RootFs> fs = open_root(request, err);
  if (!fs) return kExitUsage;
  int code = 0;
  auto plan = load_plan(request, *fs, err, code);
  if (!plan) return code;
  for (const auto& planned : plan->checks) {
    out << planned.decl->id << "\t" << to_string(planned.decl->severity) << "\t" << planned.title << '\n';
  }
  return 0;
}

int explain_check(const CatalogRequest& request, const std::string& check_id, std::ostream& out, std::ostream& err) {
  std::unique_ptr<RootFs> fs = open_root(request, err);
  if (!fs) return kExitUsage;
  int code = 0;
  auto plan = load_plan(request, *fs, err, code);
  if (!plan) return code;
  for (std::size_t i = 0; i < plan->checks.size(); ++i) {
    const auto& planned = plan->checks[i];
    if (planned.decl->id != check_id) continue;
    out << planned.decl->id << " — " << planned.title << "\n\n"
        << "Policy:      " << planned.policy->id << " (" << planned.policy->file.string() << ":" << planned.decl->line << ")\n"
        << "Check type:  " << planned.decl->type << "\n"
        << "Severity:    " << to_string(planned.decl->severity) << "\n";
    for (const auto& ref : planned.decl->references) {
      out << "Source:      seed " << ref.seed << ", section \"" << ref.section << "\"\n";
    }
    if (planned.not_applicable_reason) out << "Applies:     no, " << *planned.not_applicable_reason << "\n";
    out << "\nRationale:\n  " << planned.rationale << "\n\nRemediation:\n  " << planned.remediation << "\n";
    if (!planned.remediation_commands.empty()) {
      out << "\nCommands (as root; the audit gives the ones this host needs):\n";
      for (const auto& command : planned.remediation_commands) out << "  " << command << "\n";
    }
    out << "\nParameters:\n";
    for (std::size_t p = 0; p < plan->policies.size(); ++p) {
      if (&plan->policies[p] != planned.policy) continue;
      for (const auto& param : planned.decl->params) {
        std::vector<LoadError> ignored;  // the plan was built: every reference resolves
        const std::string value = expand_variables(param.value, plan->variables[p], "", 0, ignored);
        out << "  " << param.name << " = " << value;
        if (value != param.value) out << "  (" << param.value << ")";
        out << "\n";
      }
      if (!plan->variables[p].empty()) out << "\nVariables:\n";
      for (const auto& [name, value] : plan->variables[p]) {
        out << "  " << name << " = " << value.value << "  (" << value.origin << ")\n";
      }
    }
    return 0;
  }
  err << "clinic-audit: no check '" << check_id << "' in the selected policies (see clinic-audit list)\n";
  return kExitUsage;
}

}  // namespace clinic_audit
