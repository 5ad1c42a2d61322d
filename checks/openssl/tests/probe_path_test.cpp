// Where the agent finds clinic-audit-openssl-probe (issue #15: the installed
// agent looked under the build's CMAKE_INSTALL_PREFIX and fell back to a
// subcommand that does not exist). Layouts are made in a temporary tree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "openssl_probe.hpp"
#include "check_test_helpers.hpp"
#include "common/command_runner.hpp"

namespace clinic_audit::openssl {
namespace {

namespace fs = std::filesystem;

class ProbePath : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("ca-probe-path-" + clinic_audit::testing::test_name() + "-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "usr/bin");
    agent_ = root_ / "usr/bin/clinic-audit";
    make_executable(agent_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static void make_executable(const fs::path& path) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "#!/bin/sh\n";
    fs::permissions(path, fs::perms::owner_all);
  }

  fs::path root_;
  fs::path agent_;
};

TEST_F(ProbePath, InstalledLayoutIsFoundRelativeToTheAgent) {
  const auto installed = root_ / "usr/libexec/clinic-audit/clinic-audit-openssl-probe";
  make_executable(installed);
  const ProbeCommand command = probe_command_for(agent_);
  EXPECT_EQ(command.program, installed);
  EXPECT_TRUE(command.args.empty());
}

TEST_F(ProbePath, BuildTreeProbeBesideTheAgentComesFirst) {
  make_executable(root_ / "usr/libexec/clinic-audit/clinic-audit-openssl-probe");
  make_executable(root_ / "usr/bin/clinic-audit-openssl-probe");
  EXPECT_EQ(probe_command_for(agent_).program, root_ / "usr/bin/clinic-audit-openssl-probe");
}

TEST_F(ProbePath, NonExecutableCandidateIsSkipped) {
  const auto beside = root_ / "usr/bin/clinic-audit-openssl-probe";
  std::ofstream(beside) << "not a program\n";
  fs::permissions(beside, fs::perms::owner_read);
  const auto installed = root_ / "usr/libexec/clinic-audit/clinic-audit-openssl-probe";
  make_executable(installed);
  EXPECT_EQ(probe_command_for(agent_).program, installed);
}

TEST_F(ProbePath, MissingProbeNamesTheInstalledPathAndNoSubcommand) {
  const ProbeCommand command = probe_command_for(agent_);
  EXPECT_EQ(command.program, root_ / "usr/libexec/clinic-audit/clinic-audit-openssl-probe");
  EXPECT_TRUE(command.args.empty()) << "no fallback to a hidden agent subcommand";
  const auto candidates = probe_candidates(agent_);
  ASSERT_GE(candidates.size(), 2u);
  EXPECT_EQ(candidates[0], root_ / "usr/bin/clinic-audit-openssl-probe");
}

TEST_F(ProbePath, MissingProbeIsAnErrorNamingTheFile) {
  ProcessRunner runner;
  const ProbeCommand command = probe_command_for(agent_);
  try {
    run_probe(runner, command, ProbeMode::no_config);
    FAIL() << "a missing probe must not produce a result";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(command.program.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace clinic_audit::openssl
