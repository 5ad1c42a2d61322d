// Differential tests against sudo's own tools (Debian's sudo package): on
// every sudoers tree of tests/fixtures/sudoers/diff/, our syntax verdict must
// equal `visudo -c -f`, our parse must equal `cvtsudoers -f json`, and the
// user specifications we find for a user must equal `cvtsudoers -m user=U`.
// A disagreement fails; a missing tool fails too (scripts/deps/sudoers.list).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/command_runner.hpp"
#include "check_test_helpers.hpp"
#include "fixture_root.hpp"
#include "sudoers/sudoers_eval.hpp"
#include "sudoers/sudoers_includes.hpp"
#include "sudoers_corpus.hpp"
#include "sudoers_normal_json.hpp"

namespace clinic_audit::sudoers {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using clinic_audit::testing::read_text;
using testing::corpus_cases;
using testing::short_hostname;

fs::path install_case(const std::string& name) { return testing::install_corpus_case(name, "sudoers-diff-" + name); }

CommandResult run_tool(const std::string& program, std::vector<std::string> args, const fs::path& cwd_file) {
  ProcessRunner runner;
  clinic_audit::CommandSpec spec;
  spec.program = program;
  spec.args = std::move(args);
  spec.args.push_back(cwd_file.string());
  spec.max_output = 16 * 1024 * 1024;
  return runner.run(spec);
}

// The users the filters are asked about, with their groups as names
// (cvtsudoers without -M matches the names it is given, not the host's).
const std::vector<UserIdentity>& filter_users() {
  static const std::vector<UserIdentity> users = {
      {"root", std::nullopt, {"root"}, {}},
      {"www-data", std::nullopt, {"www-data"}, {}},
      {"alice", std::nullopt, {"alice", "adm", "wheel"}, {}},
      {"bob", std::nullopt, {"bob", "admin", "adm"}, {}},
      {"carol", std::nullopt, {"carol", "users"}, {}},
  };
  return users;
}

class SudoersDifferential : public ::testing::TestWithParam<std::string> {};

TEST_P(SudoersDifferential, AgreesWithVisudoAndCvtsudoers) {
  ASSERT_TRUE(fs::exists("/usr/sbin/visudo") && fs::exists("/usr/bin/cvtsudoers"))
      << "sudo is not installed: apt-get install sudo (scripts/deps/sudoers.list)";
  const fs::path dir = install_case(GetParam());
  const fs::path main = dir / "sudoers";
  const RootFs host_fs("/");
  LoadOptions options;
  options.short_hostname = short_hostname();
  options.refuse_insecure_files = false;  // as visudo and cvtsudoers
  const SudoersTree tree = load_sudoers(host_fs, main.string(), options);

  // 1. Syntax verdict and, when visudo names one, the same file and line.
  const CommandResult visudo = run_tool("/usr/sbin/visudo", {"-c", "-f"}, main);
  ASSERT_FALSE(visudo.timed_out);
  const bool sudo_ok = visudo.exit_code == 0;
  EXPECT_EQ(sudo_ok, !tree.error.has_value())
      << "visudo: " << visudo.out << visudo.err << "\nours: " << (tree.error ? tree.error->describe() : "parsed OK");
  if (!sudo_ok && tree.error) {
    std::smatch m;
    const std::regex located(R"((/[^:\n]+):(\d+):(\d+): ([^\n]*))");
    if (std::regex_search(visudo.err, m, located)) {
      EXPECT_EQ(m[1].str(), tree.error->file) << visudo.err;
      EXPECT_EQ(std::stoi(m[2].str()), tree.error->line) << visudo.err << "\nours: " << tree.error->describe();
      if (tree.error->column > 0) {
        EXPECT_EQ(std::stoi(m[3].str()), tree.error->column) << visudo.err << "\nours: " << tree.error->describe();
      }
      // With error recovery visudo reports every error: the same ones, in order.
      std::vector<std::string> theirs_all;
      for (auto it = std::sregex_iterator(visudo.err.begin(), visudo.err.end(), located); it != std::sregex_iterator();
           ++it) {
        theirs_all.push_back((*it)[1].str() + ":" + (*it)[2].str() + ":" + (*it)[3].str() + ": " + (*it)[4].str());
      }
      std::vector<std::string> ours_all;
      for (const auto& e : tree.errors) {
        if (e.column > 0) ours_all.push_back(e.describe());
        // Errors found after parsing (Defaults values) carry no column here:
        // compared by their message only, above and in the unit tests.
        if (e.column == 0) {
          std::erase_if(theirs_all, [&](const std::string& t) { return t.ends_with(": " + e.message); });
        }
      }
      EXPECT_EQ(ours_all, theirs_all) << visudo.err;
    } else {
      const std::regex named(R"(visudo: ([^:\n]+): )");
      ASSERT_TRUE(std::regex_search(visudo.err, m, named)) << visudo.err;
      EXPECT_NE(tree.error->describe().find(m[1].str()), std::string::npos)
          << visudo.err << "\nours: " << tree.error->describe();
    }
  }
  if (!sudo_ok) return;

  // 2. The whole parse.
  const CommandResult cvt = run_tool("/usr/bin/cvtsudoers", {"-f", "json"}, main);
  ASSERT_EQ(cvt.exit_code, 0) << cvt.err;
  const testing::NormalForm theirs = testing::normal_form_from_cvtsudoers(cvt.out);
  const testing::NormalForm ours = testing::normal_form(tree);
  EXPECT_EQ(ours.user_specs, theirs.user_specs)
      << "ours:   " << ours.user_specs.dump(1) << "\ntheirs: " << theirs.user_specs.dump(1);
  EXPECT_EQ(ours.defaults, theirs.defaults)
      << "ours:   " << ours.defaults.dump(1) << "\ntheirs: " << theirs.defaults.dump(1);
  EXPECT_EQ(ours.aliases, theirs.aliases)
      << "ours:   " << ours.aliases.dump(1) << "\ntheirs: " << theirs.aliases.dump(1);

  // 3. The rules that apply to each user.
  const Evaluator evaluator(tree);
  for (const auto& user : filter_users()) {
    std::string filter = "user=" + user.name;
    for (const auto& g : user.groups) filter += ",group=" + g;
    const CommandResult m = run_tool("/usr/bin/cvtsudoers", {"-f", "json", "-m", filter}, main);
    ASSERT_EQ(m.exit_code, 0) << m.err;
    const json theirs_user = testing::normal_form_from_cvtsudoers(m.out).user_specs;
    const json ours_user = testing::user_spec_rows(evaluator.specs_mentioning(user));
    EXPECT_EQ(ours_user, theirs_user) << "user " << user.name << "\nours:   " << ours_user.dump(1)
                                      << "\ntheirs: " << theirs_user.dump(1);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, SudoersDifferential, ::testing::ValuesIn(corpus_cases()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
                           }
                           return name;
                         });

TEST(SudoersDifferentialCorpus, HasAtLeastFortyTrees) { EXPECT_GE(corpus_cases().size(), 40u); }

}  // namespace
}  // namespace clinic_audit::sudoers
