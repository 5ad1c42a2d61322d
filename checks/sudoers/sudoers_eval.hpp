// What a sudoers tree lets a user do, decided as sudo decides it
// (plugins/sudoers/parse.c sudoers_lookup(), match.c, match_command.c):
// aliases expanded, every list read from its end so that the last match
// wins, negations applied, and the rule that decided named by file and line.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sudoers_digest.hpp"
#include "sudoers_includes.hpp"

namespace clinic_audit::sudoers {

// The invoking user as sudo sees it: uid and gids are absent when unknown
// (cvtsudoers without -M matches names only).
struct UserIdentity {
  std::string name;
  std::optional<uid_t> uid;
  std::vector<std::string> groups;  // names of the primary and supplementary groups
  std::vector<gid_t> gids;
};

struct HostIdentity {
  std::string short_name;
  std::string fqdn;  // equal to short_name when unknown
  // Host lists given as addresses or networks (sudoers(5) "ip_addr[/netmask]")
  // match the host's interfaces. Known on the live machine; under --root the
  // image's addresses are unknown and this answer is used instead:
  // `forbid_broader` assumes the grant (true), `require` does not (false).
  std::optional<std::vector<std::pair<std::string, std::string>>> interfaces;  // (address, netmask), numeric
  bool networks_match_when_unknown = true;
};

// The canonical path of a file of the audited system (symlinks resolved), or
// nullopt when it does not exist. sudo compares commands by inode when both
// exist (match_command.c); inside an image, the canonical path stands in.
using PathResolver = std::function<std::optional<std::string>(const std::string&)>;

enum class Decision { unspecified, allow, deny };

// One command a Cmnd_Spec names, after alias expansion.
struct LeafCommand {
  const UserSpec* spec = nullptr;
  const CommandSpec* command_spec = nullptr;
  const Member* command = nullptr;  // the leaf (never an alias), in the tree: not copied (100,000 leaves)
  // Cmnd_Alias names crossed, outermost first; one pointer, no allocation
  // when none (most leaves: 100,000 of them at once in no-broader-grant).
  Boxed<std::vector<std::string>> via_aliases;
  bool negated = false;  // after alias negations
};

struct LookupResult {
  Decision decision = Decision::unspecified;
  std::optional<LeafCommand> rule;  // the deciding command, when any
};

class Evaluator {
 public:
  explicit Evaluator(const SudoersTree& tree, PathResolver resolve = {}, FileDigester digester = {});

  // A command named with a digest whose file the auditor could not read:
  // `true` takes it as matching where that grants (a positive rule matches,
  // a negated one does not), `false` where it does not. forbid_broader
  // judges with true, require with false; either way the file is recorded
  // (take_undecided()) so that a verdict depending on it is an error.
  void set_grant_when_unknown(bool grant) const { grant_when_unknown_ = grant; }
  // Why results since the last call may depend on files the auditor could
  // not read (each once), and which digests did not match (for evidence).
  std::vector<std::string> take_undecided() const { return std::exchange(undecided_, {}); }
  std::vector<std::string> take_digest_mismatches() const { return std::exchange(mismatches_, {}); }

  // A leaf command (never an alias) against a command line, digests
  // included; `negated` is the leaf's negation after aliases.
  bool leaf_matches(const Member& leaf, const std::string& path, const std::optional<std::string>& args,
                    bool negated) const;

  // The time NOTBEFORE/NOTAFTER are judged at (default: now).
  void set_now(std::time_t now) { now_ = now; }
  // parse.c sudoers_lookup(): a Cmnd_Spec outside its NOTBEFORE/NOTAFTER
  // window is skipped, as if it did not match.
  bool in_window(const CommandSpec& cs) const;
  // Expired for good (NOTAFTER in the past): it will never grant again.
  bool expired(const CommandSpec& cs) const;

  Decision user_matches(std::span<const Member> list, const UserIdentity& user) const;
  Decision host_matches(std::span<const Member> list, const HostIdentity& host) const;
  // Runas part of a Cmnd_Spec for running as `target` (sudoers(5) Runas_Spec:
  // no Runas_Spec means root only, "()" the invoking user).
  bool runas_matches(const CommandSpec& cs, const UserIdentity& invoking, const UserIdentity& target) const;
  // A leaf or alias against a command line; unspecified when it says nothing.
  Decision command_matches(const Member& m, const std::string& path, const std::optional<std::string>& args) const;

  // sudo's decision for `user` on `host` running `path args` as `target`.
  LookupResult lookup(const UserIdentity& user, const HostIdentity& host, const UserIdentity& target,
                      const std::string& path, const std::optional<std::string>& args) const;

  // Every command of every Cmnd_Spec that applies to `user` on `host`, in
  // file order, aliases expanded (negated ones included, marked). A deque:
  // 100,000 leaves grow it without copies nor a spare half.
  std::deque<LeafCommand> commands_for(const UserIdentity& user, const HostIdentity& host) const;
  // The same, each handed to `out` in turn (nothing kept).
  using LeafSink = std::function<void(LeafCommand&&)>;
  void for_each_command(const UserIdentity& user, const HostIdentity& host, const LeafSink& out) const;

  // The user specifications `cvtsudoers -m user=U,group=G...` keeps: those
  // where one member of the User_List matches (a filter, not sudo's
  // last-match decision).
  std::vector<const UserSpec*> specs_mentioning(const UserIdentity& user) const;

  const Alias* alias(AliasKind kind, const std::string& name) const;

  // True once an alias chain was deeper than the evaluator follows (or
  // cyclic): results since are incomplete and must not be judged.
  bool depth_exceeded() const { return depth_exceeded_; }

  // Whether sudo asks `user` for a password for a rule without a
  // NOPASSWD/PASSWD tag: the "authenticate" Defaults flag (true unless set
  // otherwise), applied as sudo applies Defaults: global, then @host, then
  // :user, then >runas entries, later ones winning (sudoers(5) "Defaults").
  bool authenticate_by_default(const UserIdentity& user, const HostIdentity& host, const UserIdentity& target) const;
  // The value of a boolean Defaults flag, applied in the same order.
  bool defaults_flag(const std::string& name, bool initial, const UserIdentity& user, const HostIdentity& host,
                     const UserIdentity& target) const;

 private:
  Decision user_member(const Member& m, const UserIdentity& user, AliasKind kind, int depth) const;
  Decision user_list(std::span<const Member> list, const UserIdentity& user, AliasKind kind, int depth) const;
  Decision host_member(const Member& m, const HostIdentity& host, int depth) const;
  Decision host_list(std::span<const Member> list, const HostIdentity& host, int depth) const;
  Decision command_member(const Member& m, const std::string& path, const std::optional<std::string>& args,
                          bool outer_negated, int depth) const;
  void expand(const Member& m, bool negated, std::vector<std::string>& via, const UserSpec& spec, const CommandSpec& cs,
              const LeafSink& out, std::size_t& count, int depth) const;

  bool deep_enough(int depth) const;
  class Entering;
  mutable std::unordered_set<const Alias*> active_;  // aliases being expanded

  PathResolver resolve_;
  FileDigester digester_;
  mutable bool grant_when_unknown_ = false;
  mutable std::vector<std::string> undecided_;
  mutable std::vector<std::string> mismatches_;
  mutable bool depth_exceeded_ = false;
  std::time_t now_;
  std::vector<const UserSpec*> specs_;          // in sudo's reading order
  std::vector<const DefaultsEntry*> defaults_;  // in sudo's reading order
  // Per alias kind: name -> first definition (names point into the tree).
  std::unordered_map<std::string_view, const Alias*> aliases_[4];
};

// check.c check_user_shell() with "Defaults runas_check_shell": sudo runs
// commands only as a user whose shell getusershell(3) lists; `etc_shells`
// is the text of /etc/shells, nullopt when it does not exist.
bool shell_is_listed(const std::string& shell, const std::optional<std::string>& etc_shells);

// The live machine's interface addresses, numeric.
std::vector<std::pair<std::string, std::string>> live_interface_addresses();

// match_command.c: a sudoers command (path or glob, arguments) against a command line.
bool leaf_command_matches(const Member& leaf, const std::string& path, const std::optional<std::string>& args);

}  // namespace clinic_audit::sudoers
