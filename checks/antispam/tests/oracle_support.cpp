#include "oracle_support.hpp"

#include <fstream>
#include <sstream>

namespace clinic_audit::antispam::testing {

CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::string& stdin_data, const std::string& home) {
  CommandSpec spec;
  spec.program = program;
  spec.args = args;
  spec.timeout = std::chrono::seconds(60);
  spec.max_output = 1 << 20;
  spec.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"LANG", "C"}};
  if (!home.empty()) spec.env["HOME"] = home;
  spec.stdin_data = stdin_data;
  ProcessRunner runner;
  return runner.run(spec);
}

bool can_unshare_network() {
  static const bool ok = [] {
    if (!std::filesystem::exists("/usr/bin/unshare")) return false;
    const CommandResult r = run_program("/usr/bin/unshare", {"-n", "/bin/true"});
    return !r.timed_out && !r.signaled && r.exit_code == 0;
  }();
  return ok;
}

CommandResult run_rspamadm(const std::vector<std::string>& args) {
  static const std::string rspamadm = "/usr/bin/rspamadm";
  if (!can_unshare_network()) return run_program(rspamadm, args);
  std::vector<std::string> full = {"-n", rspamadm};
  full.insert(full.end(), args.begin(), args.end());
  return run_program("/usr/bin/unshare", full);
}

std::optional<std::map<std::string, std::string>> postmap_pairs(const std::string& output, std::string& bad) {
  std::map<std::string, std::string> pairs;
  std::stringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      bad = line;
      return std::nullopt;
    }
    pairs[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return pairs;
}

std::vector<std::string> spam_status_tests(const std::string& output) {
  std::vector<std::string> tests;
  const std::size_t header = output.find("X-Spam-Status:");
  if (header == std::string::npos) return tests;
  const std::size_t start = output.find("tests=", header);
  if (start == std::string::npos) return tests;
  std::string field;
  for (std::size_t i = start + 6; i < output.size(); ++i) {
    const char c = output[i];
    if (c == '\n' && (i + 1 >= output.size() || (output[i + 1] != ' ' && output[i + 1] != '\t'))) break;
    if (c == ' ' || c == '\t' || c == '\n') {
      if (field.rfind("autolearn=", 0) == 0 || field.rfind("version=", 0) == 0) break;
      field.push_back(' ');
      continue;
    }
    field.push_back(c);
  }
  std::stringstream words(field);
  std::string word;
  while (words >> word) {
    if (word.rfind("autolearn=", 0) == 0) break;
    std::stringstream parts(word);
    std::string rule;
    while (std::getline(parts, rule, ',')) {
      if (!rule.empty()) tests.push_back(rule);
    }
  }
  return tests;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace clinic_audit::antispam::testing
