// Our evaluation against sudo's own decision: on each tree of
// tests/fixtures/sudoers/eval/, for users of this machine and the command
// lines of the tree's `queries` file, `sudo -l -U USER CMD [ARGS]` (run in a
// private mount namespace where the tree is /etc/sudoers) must allow exactly
// what Evaluator::lookup() allows. Commands are real binaries of this
// machine; sudo compares them by inode, we by resolved path (merged /usr
// makes /bin/ls and /usr/bin/ls one file).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/accounts.hpp"
#include "common/command_runner.hpp"
#include "check_test_helpers.hpp"
#include "fixture_root.hpp"
#include "sudoers/sudoers_eval.hpp"
#include "sudoers/sudoers_includes.hpp"

namespace clinic_audit::sudoers {
namespace {

namespace fs = std::filesystem;

fs::path eval_dir() { return clinic_audit::testing::source_dir() / "tests/fixtures/sudoers/eval"; }

std::vector<std::string> eval_cases() { return clinic_audit::testing::subdirectory_names(eval_dir()); }

using clinic_audit::testing::read_text;

std::string short_hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  std::string name(buf);
  return name.substr(0, name.find('.'));
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

UserIdentity identity(const Accounts& accounts, const std::string& name) {
  const PasswdEntry* user = accounts.user(name);
  if (user == nullptr) throw std::runtime_error(name + " is not a user of this machine");
  UserIdentity id{user->name, user->uid, {}, accounts.groups_of(*user)};
  for (gid_t gid : id.gids) id.groups.push_back(accounts.group_name(gid));
  return id;
}

class SudoersAgainstSudo : public ::testing::TestWithParam<std::string> {};

TEST_P(SudoersAgainstSudo, LookupAgreesWithSudoList) {
  ASSERT_TRUE(fs::exists("/usr/bin/sudo") && fs::exists("/usr/bin/unshare")) << "needs sudo and util-linux";
  const fs::path source = eval_dir() / GetParam();
  const fs::path dir = clinic_audit::testing::fixture_dir("sudoers-eval-" + GetParam());
  clinic_audit::testing::FixtureRoot root(dir);
  for (const auto& entry : fs::recursive_directory_iterator(source)) {
    const std::string rel = "/" + fs::relative(entry.path(), source).string();
    if (rel == "/queries") continue;
    if (entry.is_directory()) root.dir(rel, 0755);
    else root.file(rel, replace_all(read_text(entry.path()), "@HOST@", short_hostname()), 0440);
  }
  // The tree becomes /etc/sudoers only inside the namespace: "!fqdn" keeps
  // sudo from asking the resolver for this host's name.
  root.file("/wrapper", "Defaults !fqdn\n@include " + (dir / "sudoers").string() + "\n", 0440);
  const fs::path wrapper = dir / "wrapper";

  std::vector<std::string> queries;
  std::istringstream in(read_text(source / "queries"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) queries.push_back(line);
  }
  const std::vector<std::string> users = {"www-data", "nobody", "daemon", "root"};
  std::string script = "mount --bind '" + wrapper.string() + "' /etc/sudoers || exit 99\n";
  for (const auto& user : users) {
    for (const auto& q : queries) script += "sudo -l -U '" + user + "' " + q + " >/dev/null 2>&1; echo $?\n";
  }
  ProcessRunner runner;
  clinic_audit::CommandSpec spec;
  spec.program = "/usr/bin/unshare";
  spec.args = {"-m", "--", "/bin/sh", "-c", script};
  spec.timeout = std::chrono::seconds(120);
  const CommandResult result = runner.run(spec);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream codes(result.out);

  const RootFs host_fs("/");
  const Accounts accounts = Accounts::load(host_fs);
  const SudoersTree tree = load_sudoers(host_fs, wrapper.string(), {short_hostname(), 4096, true});
  // Syntax errors are allowed: sudo recovers from them (error_recovery, on
  // by default) and so must we; the "recovery" cases are about exactly that.
  ASSERT_FALSE(tree.fatal) << tree.fatal->describe();
  ASSERT_TRUE(tree.unevaluable.empty()) << tree.unevaluable.front().describe();
  if (GetParam().find("recovery") != std::string::npos) {
    EXPECT_FALSE(tree.errors.empty());
  }
  const Evaluator evaluator(tree, [&host_fs](const std::string& path) -> std::optional<std::string> {
    try {
      return host_fs.resolve(path);
    } catch (const FsError&) {
      return std::nullopt;
    }
  });
  const HostIdentity host{short_hostname(), short_hostname(), live_interface_addresses(), true};
  const UserIdentity target = identity(accounts, "root");
  for (const auto& user : users) {
    const UserIdentity who = identity(accounts, user);
    for (const auto& q : queries) {
      int code = -1;
      ASSERT_TRUE(codes >> code) << "missing sudo result: " << result.out << result.err;
      const std::size_t space = q.find(' ');
      const std::string path = q.substr(0, space);
      const std::optional<std::string> args =
          space == std::string::npos ? std::nullopt : std::optional<std::string>(q.substr(space + 1));
      const LookupResult ours = evaluator.lookup(who, host, target, path, args);
      EXPECT_EQ(code == 0, ours.decision == Decision::allow)
          << "sudo -l -U " << user << " " << q << ": sudo exit " << code << ", ours "
          << (ours.decision == Decision::allow ? "allow" : ours.decision == Decision::deny ? "deny" : "no rule")
          << (ours.rule ? " at " + ours.rule->spec->file + ":" + std::to_string(ours.rule->command_spec->line) : "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Eval, SudoersAgainstSudo, ::testing::ValuesIn(eval_cases()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace clinic_audit::sudoers
