// What `run`, `list` and `explain` load before anything runs, by one path
// (issue #19 item 3): the site configuration (the audited image's own under
// --root), the selected policies, and the plan built from them. Each step
// writes its error to `err` and returns the exit code that ends the command,
// or nothing to go on.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/root_fs.hpp"
#include "config/site_config.hpp"
#include "plan.hpp"
#include "policy/policy.hpp"

namespace clinic_audit {

struct InputOptions {
  // Say each file loaded in the log (run does; list and explain print only
  // what they were asked for).
  bool log_steps = true;
};

// `explicit_config` (--config) if given; else, under --root (a non-live
// `fs`), the image's own /etc/clinic-audit/agent.conf read through RootFs
// without its signing settings (issue #17 item 4); else the host's.
std::optional<int> load_run_config(const RootFs& fs, const std::optional<std::filesystem::path>& explicit_config,
                                   SiteConfig& config, std::ostream& err, const InputOptions& options = {});

// The policies asked for (ids or files), else those the configuration
// enables, else every shipped one; every load error of every policy together.
std::optional<int> load_selected_policies(const std::vector<std::string>& requested, const SiteConfig& config,
                                          std::vector<Policy>& policies, std::ostream& err,
                                          const InputOptions& options = {});

// The plan (variables resolved on `fs`, checks instantiated).
std::optional<int> plan_policies(std::vector<Policy> policies, const SiteConfig& config, const RootFs& fs,
                                 std::optional<Plan>& plan, std::ostream& err);

}  // namespace clinic_audit
