// Our evaluation against sudo's own decision: on each tree of
// tests/fixtures/sudoers/eval/, for users of this machine and the command
// lines of the tree's `queries` file, `sudo -l -U USER CMD [ARGS]` (run in a
// private mount namespace where the tree is /etc/sudoers) must allow exactly
// what Evaluator::lookup() allows. Commands are real binaries of this
// machine; sudo compares them by inode, we by resolved path (merged /usr
// makes /bin/ls and /usr/bin/ls one file).
#include <gtest/gtest.h>
#include <openssl/evp.h>
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
#include "sudoers_corpus.hpp"

namespace clinic_audit::sudoers {
namespace {

namespace fs = std::filesystem;

fs::path eval_dir() { return clinic_audit::testing::source_dir() / "tests/fixtures/sudoers/eval"; }

std::vector<std::string> eval_cases() { return clinic_audit::testing::subdirectory_names(eval_dir()); }

using clinic_audit::testing::read_text;

using testing::replace_all;
using testing::short_hostname;

// "@SHA256HEX:/usr/bin/id@" (also SHA224/384/512, B64 padded, B64N
// unpadded): the digest of that file of this machine, as sudoers writes it.
std::string file_digest_text(const std::string& algorithm, const std::string& encoding, const std::string& path) {
  const EVP_MD* md = EVP_get_digestbyname(algorithm.c_str());
  if (md == nullptr) throw std::runtime_error("unknown digest " + algorithm);
  const std::string content = read_text(path);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_Digest(content.data(), content.size(), out, &len, md, nullptr) != 1) throw std::runtime_error("EVP_Digest");
  if (encoding == "HEX") {
    static const char* hex = "0123456789abcdef";
    std::string text;
    for (unsigned i = 0; i < len; ++i) text += {hex[out[i] >> 4], hex[out[i] & 15]};
    return text;
  }
  std::string text(4 * ((len + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), out, static_cast<int>(len));
  text.resize(static_cast<std::size_t>(n));
  if (encoding == "B64N") text.erase(text.find_last_not_of('=') + 1);
  return text;
}

std::string expand_digests(std::string text) {
  for (std::size_t at = text.find("@SHA"); at != std::string::npos; at = text.find("@SHA", at)) {
    const std::size_t colon = text.find(':', at);
    const std::size_t end = text.find('@', at + 1);
    if (colon == std::string::npos || end == std::string::npos || colon > end) break;
    const std::string kind = text.substr(at + 1, colon - at - 1);  // SHA256HEX
    const std::string algorithm = kind.substr(0, 6);
    std::string lower = "sha" + algorithm.substr(3);
    const std::string value = file_digest_text(lower, kind.substr(6), text.substr(colon + 1, end - colon - 1));
    text.replace(at, end - at + 1, value);
    at += value.size();
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
    else root.file(rel, expand_digests(replace_all(read_text(entry.path()), "@HOST@", short_hostname())), 0440);
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
  // A query "-u TARGET PATH [ARGS]" runs as TARGET instead of root.
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
  const Evaluator evaluator(
      tree,
      [&host_fs](const std::string& path) -> std::optional<std::string> {
        try {
          return host_fs.resolve(path);
        } catch (const FsError&) {
          return std::nullopt;
        }
      },
      root_file_digester(host_fs));
  const std::optional<std::string> etc_shells = host_fs.read_file_if_exists("/etc/shells");
  const HostIdentity host{short_hostname(), short_hostname(), live_interface_addresses(), true};
  for (const auto& user : users) {
    const UserIdentity who = identity(accounts, user);
    for (const auto& query : queries) {
      int code = -1;
      ASSERT_TRUE(codes >> code) << "missing sudo result: " << result.out << result.err;
      std::string q = query;
      std::string target_name = "root";
      if (q.rfind("-u ", 0) == 0) {
        const std::size_t end = q.find(' ', 3);
        target_name = q.substr(3, end - 3);
        q = q.substr(end + 1);
      }
      const UserIdentity target = identity(accounts, target_name);
      const std::size_t space = q.find(' ');
      const std::string path = q.substr(0, space);
      const std::optional<std::string> args =
          space == std::string::npos ? std::nullopt : std::optional<std::string>(q.substr(space + 1));
      const LookupResult ours = evaluator.lookup(who, host, target, path, args);
      // check.c check_user_shell(): refused after the lookup. sudo -l -U
      // applies the Defaults of the invoking user (root here): the cases
      // set runas_check_shell globally or for a Runas user only.
      const bool shell_refused = evaluator.defaults_flag("runas_check_shell", false, who, host, target) &&
                                 !shell_is_listed(accounts.user(target_name)->shell, etc_shells);
      const bool allowed = ours.decision == Decision::allow && !shell_refused;
      EXPECT_EQ(code == 0, allowed)
          << "sudo -l -U " << user << " " << query << ": sudo exit " << code << ", ours "
          << (ours.decision == Decision::allow  ? (shell_refused ? "allow, shell refused" : "allow")
              : ours.decision == Decision::deny ? "deny"
                                                : "no rule")
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
