#include "catalog.hpp"

#include <ostream>

#include "i18n.hpp"
#include "engine/plan.hpp"
#include "engine/run_inputs.hpp"
#include "registry.hpp"
#include "report/render_text.hpp"

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
      out << type.name << "\t" << _(type.description.c_str()) << (type.uses_network ? _(" [network]") : "") << '\n';
    }
    return 0;
  }
  std::unique_ptr<RootFs> fs = open_root(request, err);
  if (!fs) return kExitUsage;
  int code = 0;
  auto plan = load_plan(request, *fs, err, code);
  if (!plan) return code;
  for (const auto& planned : plan->checks) {
    // The id stays first and alone in its field (bash completion cuts it).
    out << planned.decl->id << "\t" << severity_word(planned.decl->severity) << "\t" << planned.title << '\n';
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
        << tr("Policy:      {0} ({1}:{2})", planned.policy->id, planned.policy->file.string(), planned.decl->line)
        << "\n"
        << tr("Check type:  {0}", planned.decl->type) << "\n"
        << tr("Severity:    {0}", severity_word(planned.decl->severity)) << "\n";
    for (const auto& ref : planned.decl->references) {
      out << tr("Source:      seed {0}, section \"{1}\"", ref.seed, ref.section) << "\n";
    }
    if (planned.not_applicable_reason) out << tr("Applies:     no, {0}", *planned.not_applicable_reason) << "\n";
    out << "\n"
        << _("Rationale:") << "\n  " << planned.rationale << "\n\n"
        << _("Remediation:") << "\n  " << planned.remediation << "\n";
    if (!planned.remediation_commands.empty()) {
      out << "\n" << _("Commands (as root; the audit gives the ones this host needs):") << "\n";
      for (const auto& command : planned.remediation_commands) out << "  " << command << "\n";
    }
    out << "\n" << _("Parameters:") << "\n";
    for (std::size_t p = 0; p < plan->policies.size(); ++p) {
      if (&plan->policies[p] != planned.policy) continue;
      for (const auto& param : planned.decl->params) {
        std::vector<LoadError> ignored;  // the plan was built: every reference resolves
        const std::string value = expand_variables(param.value, plan->variables[p], "", 0, ignored);
        out << "  " << param.name << " = " << value;
        if (value != param.value) out << "  (" << param.value << ")";
        out << "\n";
      }
      if (!plan->variables[p].empty()) out << "\n" << _("Variables:") << "\n";
      for (const auto& [name, value] : plan->variables[p]) {
        out << "  " << name << " = " << value.value << "  (" << value.origin << ")\n";
      }
    }
    return 0;
  }
  err << tr("clinic-audit: no check '{0}' in the selected policies (see clinic-audit list)", check_id) << '\n';
  return kExitUsage;
}

}  // namespace clinic_audit
