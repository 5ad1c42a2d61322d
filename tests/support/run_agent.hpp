// Runs the built clinic-audit executable for integration tests.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace clinic_audit::testing {

struct AgentRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `clinic-audit ARGS...` (the binary of this build) with a 60 s limit.
AgentRun run_agent(const std::vector<std::string>& args);
// The same with more environment variables (LC_ALL, LANG... for issue #18).
AgentRun run_agent(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra_env);
// Absolute path of the clinic-audit binary under test.
std::string agent_binary();

}  // namespace clinic_audit::testing
