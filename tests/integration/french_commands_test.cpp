// Issue #18 item 2: the messages of the other commands (CLI11's own parse
// errors, verify, status, submit) in French, with the same exit code as in
// English and no catalog message left in English.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixture_root.hpp"
#include "french_catalog.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

namespace fs = std::filesystem;

struct CommandCase {
  std::string name;
  std::vector<std::string> args;  // after "--lang LANG"; @DIR@ is a fresh empty directory
  int exit_code;
  std::string french;  // a piece of the French message
};

std::vector<CommandCase> command_cases() {
  return {
      {"unexpected_argument", {"run", "--bogus"}, 64, "argument inattendu : --bogus"},
      {"missing_required_option", {"enroll"}, 64, "--collector est obligatoire"},
      {"value_not_in_set", {"run", "--format", "foo"}, 64, "foo ne fait pas partie de {text,"},
      {"missing_directory", {"run", "--root", "/nonexistent-clinic-audit-root"}, 64, "n'existe pas"},
      {"missing_value", {"run", "--policy"}, 64, "--policy demande une valeur"},
      {"verify_bad_ca", {"verify", "--ca", "/dev/null", "@DIR@"}, 65, "impossible de lire les certificats d'AC"},
      {"status_no_report", {"status", "--format", "json", "--reports", "@DIR@"}, 3, "aucun rapport JSON dans"},
      {"status_nagios_no_report", {"status", "--reports", "@DIR@"}, 3, "CLINIC-AUDIT UNKNOWN - aucun rapport JSON"},
      {"submit_nothing", {"submit", "--state-dir", "@DIR@", "--config", "@DIR@/agent.conf"}, 0, "rien à envoyer"},
  };
}

class CommandMessages : public ::testing::TestWithParam<CommandCase> {};

TEST_P(CommandMessages, FrenchWithTheSameExitCode) {
  LanguageEnvironment env;
  const CommandCase& c = GetParam();
  const fs::path dir = fixture_dir("empty");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "agent.conf") << "<agent-config xmlns=\"urn:clinic-audit:config:1\"></agent-config>\n";
  auto run = [&](const std::string& lang) {
    std::vector<std::string> args{"--lang", lang};
    for (std::string arg : c.args) {
      if (const auto at = arg.find("@DIR@"); at != std::string::npos) arg.replace(at, 5, dir.string());
      args.push_back(arg);
    }
    return run_agent(args);
  };
  const AgentRun en = run("en");
  const AgentRun fr = run("fr");
  EXPECT_EQ(en.exit_code, c.exit_code) << en.out << en.err;
  EXPECT_EQ(fr.exit_code, c.exit_code) << fr.out << fr.err;
  const std::string french = fr.out + fr.err;
  EXPECT_NE(french.find(c.french), std::string::npos) << french;
  EXPECT_NE(french, en.out + en.err);
  EXPECT_TRUE(valid_utf8(french)) << french;
  std::string english_left;
  for (const auto& message : untranslated_in(french)) english_left += "  " + message + "\n";
  EXPECT_EQ(english_left, "") << french;
}

INSTANTIATE_TEST_SUITE_P(Commands, CommandMessages, ::testing::ValuesIn(command_cases()),
                         [](const ::testing::TestParamInfo<CommandCase>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace clinic_audit::testing
