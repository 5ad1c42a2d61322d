#include "run_agent.hpp"

#include "common/command_runner.hpp"

namespace clinic_audit::testing {

std::string agent_binary() { return CA_AGENT_BINARY; }

AgentRun run_agent(const std::vector<std::string>& args) { return run_agent(args, {}); }

AgentRun run_agent(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra_env) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = agent_binary();
  spec.args = args;
  spec.timeout = std::chrono::seconds(60);
  spec.max_output = 16 << 20;
  spec.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"LANG", "C"}};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) spec.env[name] = value;
  }
  for (const auto& [name, value] : extra_env) spec.env[name] = value;
  CommandResult result = runner.run(spec);
  AgentRun run;
  run.exit_code = result.timed_out ? -2 : result.signaled ? 128 + result.signal : result.exit_code;
  run.out = std::move(result.out);
  run.err = std::move(result.err);
  return run;
}

}  // namespace clinic_audit::testing
