// Helpers for integration tests reading the agent's JSON report.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_agent.hpp"

namespace clinic_audit::testing {

// Parses a JSON report, failing the current test (and returning null) when
// it is not valid JSON or does not validate against the shipped schema.
nlohmann::json parse_report(const std::string& text);
// The result object for `check_id`; a test failure when absent.
nlohmann::json result_of(const nlohmann::json& report, const std::string& check_id);
// Every check_id -> status, for whole-report assertions.
std::map<std::string, std::string> statuses(const nlohmann::json& report);
// Runs the agent as the unprivileged user nobody (setpriv), for tests that
// need permission errors (root reads everything).
AgentRun run_agent_as_nobody(const std::vector<std::string>& args);
// Lower-case hex SHA-256 of a file's bytes (OpenSSL).
std::string sha256_of_file(const std::filesystem::path& path);
// Path of a fixture file under tests/fixtures.
std::string fixture(const std::string& relative);

}  // namespace clinic_audit::testing
