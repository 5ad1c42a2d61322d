#include "report_json.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "report_files.hpp"
#include "schema_validation.hpp"

namespace clinic_audit::testing {

nlohmann::json parse_report(const std::string& text) {
  const std::string schema_error = validate_json_report(text);
  EXPECT_EQ(schema_error, "") << text.substr(0, 2000);
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << text.substr(0, 2000);
    return nullptr;
  }
}

nlohmann::json result_of(const nlohmann::json& report, const std::string& check_id) {
  if (report.is_object()) {
    for (const auto& r : report.at("results")) {
      if (r.at("check_id") == check_id) return r;
    }
  }
  ADD_FAILURE() << "no result for " << check_id;
  return nlohmann::json::object({{"status", "<missing>"}, {"summary", ""}, {"evidence", nlohmann::json::array()}});
}

std::map<std::string, std::string> statuses(const nlohmann::json& report) {
  std::map<std::string, std::string> out;
  if (!report.is_object()) return out;
  for (const auto& r : report.at("results")) out[r.at("check_id")] = r.at("status");
  return out;
}

AgentRun run_agent_as_nobody(const std::vector<std::string>& args) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/setpriv";
  spec.args = {"--reuid=65534", "--regid=65534", "--clear-groups", "--", agent_binary()};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
  spec.timeout = std::chrono::seconds(60);
  spec.max_output = 16 << 20;
  spec.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"LANG", "C"}};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) spec.env[name] = value;
  }
  CommandResult result = runner.run(spec);
  return {result.timed_out ? -2 : result.exit_code, result.out, result.err};
}

std::string sha256_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return signing::sha256_hex(std::string((std::istreambuf_iterator<char>(in)), {}));
}

std::string fixture(const std::string& relative) { return (source_dir() / "tests" / "fixtures" / relative).string(); }

}  // namespace clinic_audit::testing
