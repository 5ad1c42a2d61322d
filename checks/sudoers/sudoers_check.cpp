// Over 400 lines: to be split (the verdicts on required grants, forbidden
// grants, skipped files and digests are separable); left whole here while
// checks/sudoers has work of its own in progress (issues #16, #20).
#include "sudoers_check.hpp"
#include "i18n.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <string_view>

#include "common/shell_quote.hpp"
#include "common/permissions.hpp"
#include "sudoers_eval.hpp"
#include "sudoers_grants.hpp"
#include "sudoers_includes.hpp"
#include "sudoers_path_cache.hpp"
#include "sudoers_render.hpp"
#include "visudo_messages.hpp"

namespace clinic_audit {
namespace {

using namespace sudoers;

// Evidence items kept per check (issue #20 item 8): the rest is counted.
constexpr std::size_t kMaxEvidence = 64;

void cap(std::vector<Evidence>& items, std::size_t max, std::size_t already_left_out = 0) {
  if (items.empty() || (items.size() <= max && already_left_out == 0)) return;
  if (items.size() < max) max = items.size();
  const std::size_t left_out = items.size() - (max - 1) + already_left_out;
  Evidence last{items[max - 1].path, std::nullopt, tr("{0} more evidence items not shown", left_out),
                items[max - 1].expected};
  items.resize(max - 1);
  items.push_back(std::move(last));
}

// An argument no policy names: a grant "without arguments" must also allow it.
constexpr const char* kProbeArgument = "--clinic-audit-probe";

UserIdentity identity(const Accounts& accounts, const PasswdEntry& user) {
  UserIdentity id{user.name, user.uid, {}, accounts.groups_of(user)};
  for (gid_t gid : id.gids) id.groups.push_back(accounts.group_name(gid));
  return id;
}

std::string short_hostname(const RootFs& fs, const std::optional<std::string>& configured) {
  std::string name = configured.value_or("");
  if (name.empty()) {
    try {
      name = fs.read_file_if_exists("/etc/hostname", 4096).value_or("");
    } catch (const FsError&) {
    }
  }
  name = name.substr(0, name.find_first_of(" \t\r\n"));
  if (name.empty()) name = "localhost";
  return name;
}

bool has_network_hosts(const SudoersTree& tree) {
  for (const auto& e : tree.order) {
    if (e.entry.kind == Entry::Kind::user_spec) {
      for (const auto& p : tree.user_spec(e).privileges) {
        for (const auto& h : p.hosts) {
          if (h.kind == Member::Kind::network) return true;
        }
      }
    } else if (e.entry.kind == Entry::Kind::alias && tree.alias(e).kind == AliasKind::host) {
      for (const auto& h : tree.alias(e).members) {
        if (h.kind == Member::Kind::network) return true;
      }
    }
  }
  return false;
}

// The shipped policies run several sudoers checks on one tree at the same
// time (apicrypt-v1's grants and no-broader-grant, apicrypt-v2's
// restart-apicrypt): they share one load while any of them uses it, so that
// a 100,000-file tree is in memory once, not three times (issue #20 item 4).
// A later run loads afresh: nothing is kept once the last user is done.
std::shared_ptr<const SudoersTree> shared_tree(const RootFs& fs, const std::string& main, const LoadOptions& options) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const SudoersTree>> loaded;
  const std::string key = fs.root().string() + '\0' + main + '\0' + options.short_hostname;
  const std::lock_guard<std::mutex> lock(mutex);
  for (auto it = loaded.begin(); it != loaded.end();) {
    if (it->second.expired()) it = loaded.erase(it);
    else ++it;
  }
  if (auto tree = loaded[key].lock()) return tree;
  // What the run freed before (discovery lists every file of sudoers.d, in
  // the main thread's malloc arena, which this worker thread's arena does
  // not reuse) goes back to the system before the tree takes its place, and
  // so does what parsing freed: glibc keeps freed pages resident otherwise,
  // and the peak RSS counts them (issue #20 item 4: 100,000 files).
  malloc_trim(0);
  auto tree = std::make_shared<const SudoersTree>(load_sudoers(fs, main, options));
  malloc_trim(0);
  loaded[key] = tree;
  return tree;
}

class SudoersCheck final : public Check {
 public:
  explicit SudoersCheck(const Params& params)
      : user_(params.required("user")),
        sudoers_(params.get_or("sudoers", "/etc/sudoers")),
        hostname_(params.optional("hostname")),
        runas_(params.get_or("runas", "root")),
        nopasswd_(params.flag("nopasswd", true)),
        forbid_broader_(params.flag("forbid_broader", false)),
        file_modes_(params.flag("file_modes", forbid_broader_)),
        optional_alias_(params.optional("optional_alias")),
        optional_command_(params.optional("optional_command")),
        fix_file_(params.get_or("fix_file", "/etc/sudoers.d/clinic-audit")) {
    for (const auto& text : params.all("require")) required_.push_back(parse_command("require", text));
    for (const auto& text : params.all("allow")) allowed_.push_back(parse_command("allow", text));
    if (optional_command_) allowed_.push_back(parse_command("optional_command", *optional_command_));
    allowed_.insert(allowed_.end(), required_.begin(), required_.end());
    if (optional_alias_.has_value() != optional_command_.has_value()) {
      throw ParamError("optional_alias", "parameters 'optional_alias' and 'optional_command' go together");
    }
    if (sudoers_.empty() || sudoers_[0] != '/') throw ParamError("sudoers", "parameter 'sudoers' must be absolute");
    // sudoers(5): @includedir skips names containing '.', so the fix must not use one.
    if (fix_file_.substr(fix_file_.rfind('/') + 1).find('.') != std::string::npos) {
      throw ParamError("fix_file", "parameter 'fix_file' must not contain '.' in its name: sudo would skip it");
    }
  }

  Outcome run(const Context& context) const override {
    const RootFs& fs = context.fs();
    const std::string host = short_hostname(fs, hostname_);
    if (!fs.exists(sudoers_)) {
      if (required_.empty()) return Outcome::pass(tr("{0} does not exist: sudo grants nothing", sudoers_));
      return Outcome::fail(tr("{0} does not exist: sudo grants nothing to {1}", sudoers_, user_),
                           {{sudoers_, std::nullopt, _("missing"), _("the grants of the policy")}});
    }
    missing_.clear();
    bad_modes_.clear();
    problems_left_out_ = 0;
    LoadOptions options;
    options.short_hostname = host;
    const std::shared_ptr<const SudoersTree> loaded = shared_tree(fs, sudoers_, options);
    const SudoersTree& tree = *loaded;
    if (!tree.unevaluable.empty()) {
      std::vector<Evidence> evidence;
      for (const auto& u : tree.unevaluable) {
        evidence.push_back({u.file, line_of(u.line), u.message, _("a sudoers tree the auditor can read and evaluate")});
      }
      cap(evidence, kMaxEvidence);
      return Outcome::error(tr("cannot evaluate the sudoers tree: {0}", tree.unevaluable.front().describe()),
                            std::move(evidence));
    }
    const Accounts& accounts = context.accounts();
    const PasswdEntry* entry = accounts.user(user_);
    if (entry == nullptr) throw CheckError("user '" + user_ + "' is not in /etc/passwd", "/etc/passwd");
    const UserIdentity user = identity(accounts, *entry);
    const PasswdEntry* runas_entry = accounts.user(runas_);
    const UserIdentity target =
        runas_entry != nullptr ? identity(accounts, *runas_entry) : UserIdentity{runas_, {}, {}, {}};
    std::vector<Evidence> problems;
    std::vector<Evidence> notes;
    std::vector<std::string> summary;
    // One resolution per path, one listing per directory, for the whole run
    // (no walk from the root per rule).
    auto paths = std::make_shared<PathCache>(fs, accounts);
    const PathResolver resolve = [paths](const std::string& path) { return paths->resolve(path); };
    const Evaluator evaluator(tree, resolve, root_file_digester(fs));
    HostIdentity host_id{host, host, std::nullopt, false};
    if (fs.is_live()) host_id.interfaces = live_interface_addresses();
    else if (has_network_hosts(tree)) {
      notes.push_back({sudoers_, std::nullopt,
                       _("host lists given as network addresses cannot be matched under --root (the image's interfaces "
                         "are unknown): judged as matching for forbidden grants, as not matching for required ones"),
                       _("host names")});
    }
    HostIdentity broad_host = host_id;
    broad_host.networks_match_when_unknown = true;

    if (tree.fatal) {
      problems.push_back({tree.fatal->file, line_of(tree.fatal->line),
                          tr("sudo refuses to run: {0}", visudo_message_text(tree.fatal->message)),
                          _("a sudoers file sudo accepts")});
      summary.push_back(tr("sudo refuses to run: {0}", visudo_describe(*tree.fatal)));
    }
    for (const auto& e : tree.errors) {
      std::string observed =
          tr("visudo -c reports {0}; sudo skips this entry and warns (error_recovery)", visudo_describe(e));
      if (!e.hint.empty()) observed += "; " + e.hint;
      problems.push_back({e.file, line_of(e.line), std::move(observed), _("a sudoers tree visudo -c accepts")});
    }
    if (tree.errors_omitted > 0) {
      problems.push_back({sudoers_, std::nullopt, tr("{0} more syntax errors not listed", tree.errors_omitted),
                          _("a sudoers tree visudo -c accepts")});
    }
    if (!tree.errors.empty()) {
      summary.push_back(tr("visudo -c reports {0} error(s), first {1}; sudo skips the bad entries and uses the rest",
                           tree.errors.size() + tree.errors_omitted, visudo_describe(tree.errors.front())));
    }
    for (const auto& ignored : tree.ignored) {
      notes.push_back({ignored.path, std::nullopt,
                       ignored.warns
                           ? tr("sudo skips this file and warns: {0} (included from {1}:{2})",
                                visudo_message_text(_(ignored.reason.c_str())), ignored.included_from, ignored.line)
                           : tr("sudo skips this file silently: {0} (included from {1}:{2})",
                                visudo_message_text(_(ignored.reason.c_str())), ignored.included_from, ignored.line),
                       _("read by sudo")});
    }
    if (tree.ignored_omitted > 0) {
      notes.push_back({sudoers_, std::nullopt, tr("{0} more files sudo skips, not listed", tree.ignored_omitted),
                       _("read by sudo")});
    }
    // Verdicts that depend on a file the auditor could not read (a command's
    // digest, /etc/shells): an error unless something else already fails.
    std::vector<Evidence> undecided;
    check_required(fs, accounts, evaluator, user, host_id, target, problems, notes, undecided, summary);
    if (forbid_broader_) check_broader(*paths, evaluator, user, broad_host, problems, notes, undecided, summary);
    if (file_modes_) check_file_modes(tree, context.accounts(), problems, summary);
    if (optional_alias_) check_optional(evaluator, user, broad_host, problems, notes, summary);

    if (evaluator.depth_exceeded()) {
      return Outcome::error(_("cannot evaluate the sudoers tree: aliases nest deeper than the auditor follows, "
                              "or refer to themselves (sudo expands every level); no member is judged as absent"),
                            {{sudoers_, std::nullopt, _("alias nesting beyond the auditor's limit or an alias cycle"),
                              _("aliases sudo can expand")}});
    }
    std::string text;
    for (const auto& s : summary) text += (text.empty() ? "" : "; ") + s;
    cap(problems, kMaxEvidence, problems_left_out_);
    cap(notes, kMaxEvidence / 4);
    std::vector<Evidence> evidence = problems;
    evidence.insert(evidence.end(), notes.begin(), notes.end());
    cap(undecided, kMaxEvidence / 4);
    if (!problems.empty()) {
      evidence.insert(evidence.end(), undecided.begin(), undecided.end());
      Outcome out = Outcome::fail(text, std::move(evidence));
      remediate(out, tree, missing_, bad_modes_);
      return out;
    }
    if (!undecided.empty()) {
      undecided.insert(undecided.end(), evidence.begin(), evidence.end());
      std::string why = tr("cannot evaluate the sudoers grants: {0}", undecided.front().observed);
      return Outcome::error(std::move(why), std::move(undecided));
    }
    return Outcome::pass(text.empty() ? tr("sudoers grants to {0} are as required", user_) : text, std::move(evidence));
  }

 private:
  static CommandLine parse_command(const std::string& param, const std::string& text) {
    if (text.empty() || text[0] != '/') {
      throw ParamError(param, "parameter '" + param + "' must be an absolute command path, not '" + text + "'");
    }
    return CommandLine::parse(text);
  }
  // A NOPASSWD tag, or no PASSWD tag and "Defaults !authenticate" for this user.
  static bool without_password(const Evaluator& ev, const LeafCommand& rule, const UserIdentity& user,
                               const HostIdentity& host, const UserIdentity& target) {
    // check.c: root, and a user running a command as themself, are never
    // asked for a password.
    if ((user.uid && *user.uid == 0) || user.name == target.name) return true;
    const Tags::Value tag = rule.command_spec->tags.nopasswd;
    if (tag != Tags::unset) return tag == Tags::on;
    return !ev.authenticate_by_default(user, host, target);
  }
  static std::optional<int> line_of(int line) { return line > 0 ? std::optional<int>(line) : std::nullopt; }
  static Evidence at(const LeafCommand& leaf, std::string observed, std::string expected) {
    return {leaf.spec->file, line_of(leaf.command_spec->line), std::move(observed), std::move(expected)};
  }

  // check.c check_user_shell(): with "Defaults runas_check_shell" sudo
  // runs nothing as a user whose shell /etc/shells does not list. nullopt
  // when it may; else why not (or, with `unknown` set, why it cannot be told).
  std::optional<std::string> runas_shell_refusal(const RootFs& fs, const Accounts& accounts, const Evaluator& ev,
                                                 const UserIdentity& user, const HostIdentity& host,
                                                 const UserIdentity& target, bool& unknown) const {
    unknown = false;
    if (!ev.defaults_flag("runas_check_shell", false, user, host, target)) return std::nullopt;
    std::optional<std::string> shells;
    try {
      shells = fs.read_file_if_exists("/etc/shells", 1 << 20);
    } catch (const FsError& e) {
      unknown = true;
      return tr("cannot read /etc/shells (Defaults runas_check_shell): {0}", e.what());
    }
    const PasswdEntry* entry = accounts.user(target.name);
    const std::string shell = entry != nullptr ? entry->shell : "";
    if (shell_is_listed(shell, shells)) return std::nullopt;
    return shells ? tr("sudo runs nothing as {0}: its shell {1} is not in /etc/shells and Defaults runas_check_shell "
                       "is set",
                       target.name, shell.empty() ? "/bin/sh" : shell)
                  : tr("sudo runs nothing as {0}: its shell {1} is not a default shell (no /etc/shells) and Defaults "
                       "runas_check_shell is set",
                       target.name, shell.empty() ? "/bin/sh" : shell);
  }

  void check_required(const RootFs& fs, const Accounts& accounts, const Evaluator& ev, const UserIdentity& user,
                      const HostIdentity& host, const UserIdentity& target, std::vector<Evidence>& problems,
                      std::vector<Evidence>& notes, std::vector<Evidence>& undecided,
                      std::vector<std::string>& summary) const {
    std::size_t missing = 0;
    // require judges what is certain: a digest the auditor cannot read does not grant.
    ev.set_grant_when_unknown(false);
    for (const auto& req : required_) {
      const std::string expected = nopasswd_ ? tr("{0} may run {1} as {2} without password", user_, req.text(), runas_)
                                             : tr("{0} may run {1} as {2}", user_, req.text(), runas_);
      // Without arguments in the policy, the grant must hold with and without arguments.
      std::vector<std::optional<std::string>> probes;
      if (req.args) probes.emplace_back(req.args);
      else probes = {std::nullopt, std::string(kProbeArgument)};
      std::optional<Evidence> failure;
      std::optional<LeafCommand> granted;
      std::optional<std::string> deciding_file;
      bool unknown = false;
      (void)ev.take_undecided();
      (void)ev.take_digest_mismatches();
      for (const auto& args : probes) {
        const LookupResult r = ev.lookup(user, host, target, req.path, args);
        const std::string with = args ? tr(" with arguments '{0}'", *args) : std::string(_(" without arguments"));
        std::string digest_note;
        for (const auto& m : ev.take_digest_mismatches()) digest_note += tr("; a rule naming it is ignored: {0}", m);
        if (r.decision == Decision::unspecified) {
          failure = Evidence{sudoers_, std::nullopt,
                             tr("no rule lets {0} run {1}{2}", user_, req.path, with) + digest_note, expected};
        } else if (r.decision == Decision::deny) {
          deciding_file = r.rule->spec->file;
          failure = at(*r.rule, tr("denied{0} by the last matching rule: {1}", with, render_grant(*r.rule)), expected);
        } else if (nopasswd_ && !without_password(ev, *r.rule, user, host, target)) {
          deciding_file = r.rule->spec->file;
          failure = at(*r.rule, tr("granted but a password is required: {0}", render_grant(*r.rule)), expected);
        } else if (auto refusal = runas_shell_refusal(fs, accounts, ev, user, host, target, unknown)) {
          deciding_file = r.rule->spec->file;
          failure = at(*r.rule, tr("granted by {0} but {1}", render_grant(*r.rule), *refusal), expected);
        } else {
          granted = r.rule;
          continue;
        }
        break;
      }
      std::vector<std::string> why_unknown = ev.take_undecided();
      if (failure && unknown) why_unknown.push_back(failure->observed);
      if (failure && !why_unknown.empty()) {
        // The verdict depends on what the auditor could not read.
        for (const auto& w : why_unknown) {
          undecided.push_back({failure->path, failure->line, w, expected});
        }
        continue;
      }
      if (failure) {
        problems.push_back(*failure);
        ++missing;
        missing_.emplace_back(req, deciding_file.value_or(fix_file_));
      } else {
        notes.push_back(at(*granted, tr("granted by {0}", render_grant(*granted)), expected));
      }
    }
    if (required_.empty()) return;
    if (missing == 0) summary.push_back(tr("all {0} required grants to {1} are in effect", required_.size(), user_));
    else summary.push_back(tr("{0} of {1} required grants to {2} are not in effect", missing, required_.size(), user_));
  }

  // A plain command path (no glob, directory, regex, ALL): the key two
  // leaves share when they name the same file (sudo compares by inode).
  // nullptr when not plain; else a string of the path cache or the tree
  // (both outlive the check's judgement): one pointer a leaf.
  static const std::string* plain_key(const LeafCommand& leaf, PathCache& paths) {
    const Member& m = *leaf.command;
    if (m.kind != Member::Kind::command || m.command().empty() || m.command()[0] != '/' || m.command().back() == '/' ||
        m.command().find_first_of("\\?*[]") != std::string::npos) {
      return nullptr;
    }
    const std::string* resolved = paths.resolved(m.command());
    return resolved != nullptr ? resolved : &m.command();
  }

  void check_broader(PathCache& paths, const Evaluator& ev, const UserIdentity& user, const HostIdentity& host,
                     std::vector<Evidence>& problems, std::vector<Evidence>& notes, std::vector<Evidence>& undecided,
                     std::vector<std::string>& summary) const {
    // forbid_broader assumes a grant it cannot rule out (an unreadable digest).
    ev.set_grant_when_unknown(true);
    const std::string expected = tr("no grant to {0} beyond {1}", user_, allowed_text());
    std::size_t found = 0;
    const std::deque<LeafCommand> leaves = ev.commands_for(user, host);
    // A grant can only be revoked by a negation read after it: index the
    // negations (by the file they name, or "any" for globs, ALL...), so that
    // sudo's whole lookup runs only where one could apply (linear cost).
    // Plain leaves sorted by the file they name (then by position): each
    // group of leaves naming one file is a run of `by_key` (a few bytes a
    // leaf, where a map of vectors took some 120: issue #20 item 4).
    std::optional<std::size_t> last_wide_negation;
    std::vector<const std::string*> keys(leaves.size());
    std::vector<std::uint32_t> by_key;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      keys[i] = plain_key(leaves[i], paths);
      if (keys[i] != nullptr) by_key.push_back(static_cast<std::uint32_t>(i));
      else if (leaves[i].negated) last_wide_negation = i;
    }
    std::stable_sort(by_key.begin(), by_key.end(),
                     [&keys](std::uint32_t a, std::uint32_t b) { return *keys[a] < *keys[b]; });
    std::vector<std::uint32_t> group_end(leaves.size(), 0);  // per plain leaf: one past the last of its group in by_key
    for (std::size_t p = by_key.size(); p-- > 0;) {
      const bool last = p + 1 == by_key.size() || *keys[by_key[p + 1]] != *keys[by_key[p]];
      group_end[by_key[p]] = last ? static_cast<std::uint32_t>(p + 1) : group_end[by_key[p + 1]];
    }
    const UserIdentity root{"root", 0, {"root"}, {0}};
    // Defaults runas_check_shell: a rule that can only run as root grants
    // nothing while root's shell is not in /etc/shells (other Runas lists
    // may name users whose shells are listed: assumed to grant).
    bool root_shell_unknown = false;
    const std::optional<std::string> root_refused =
        runas_shell_refusal(paths.fs(), paths.accounts(), ev, user, host, root, root_shell_unknown);
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      const LeafCommand& leaf = leaves[i];
      if (leaf.negated || ev.expired(*leaf.command_spec)) continue;
      const bool root_only = !leaf.command_spec->runas_users && !leaf.command_spec->runas_groups;
      if (root_only && root_refused && !root_shell_unknown) {
        notes.push_back(at(leaf, tr("{0}: grants nothing, {1}", render_grant(leaf), *root_refused), expected));
        continue;
      }
      const bool key = keys[i] != nullptr;
      (void)ev.take_undecided();
      if (key && !leaf.command->digests->empty()) {
        // A plain command with a digest grants only while the file matches it.
        (void)ev.take_digest_mismatches();
        if (!ev.leaf_matches(*leaf.command, leaf.command->command(), std::nullopt, false) &&
            !ev.leaf_matches(*leaf.command, leaf.command->command(), std::string(kProbeArgument), false)) {
          for (const auto& m : ev.take_digest_mismatches()) {
            notes.push_back(at(leaf, tr("{0}: grants nothing, {1}", render_grant(leaf), m), expected));
          }
          continue;
        }
      }
      if (!key || (last_wide_negation && *last_wide_negation > i)) {
        if (!in_effect(ev, user, host, leaf)) continue;  // sudo's whole lookup
      } else {
        // Only a later leaf naming the same file can decide otherwise: the
        // last of them that matches (runas, window, arguments) decides, as
        // in sudo's lookup over the rules that apply to this user and host.
        const std::optional<std::string> args =
            leaf.command->args && *leaf.command->args != "\"\"" && (*leaf.command->args)[0] != '^'
                ? std::optional<std::string>(*leaf.command->args)
                : std::nullopt;
        bool revoked = false;
        if (ev.runas_matches(*leaf.command_spec, user, root)) {
          for (std::uint32_t p = group_end[i]; p-- > 0 && *keys[by_key[p]] == *keys[i] && by_key[p] > i;) {
            const LeafCommand& later = leaves[by_key[p]];
            if (!ev.runas_matches(*later.command_spec, user, root) || !ev.in_window(*later.command_spec)) continue;
            if (!ev.leaf_matches(*later.command, later.command->command(), args, later.negated))
              continue;  // same file: the arguments decide
            revoked = later.negated;
            break;
          }
        }
        if (revoked) continue;
      }
      // NOTAFTER in the past: grants nothing, ever again. NOTBEFORE in the
      // future: a grant to come, judged as one.
      std::vector<std::string> reasons = broad_grant_reasons(leaf, allowed_);
      if (!reasons.empty() && !ev.in_window(*leaf.command_spec)) {
        for (auto& r : reasons) r += tr(" (from {0}, NOTBEFORE)", *leaf.command_spec->options->notbefore);
      }
      for (auto& writer : command_writers(paths, leaf)) reasons.push_back(std::move(writer));
      std::vector<std::string> why_unknown = ev.take_undecided();
      if (root_only && root_refused && root_shell_unknown) why_unknown.push_back(*root_refused);
      if (!reasons.empty() && !why_unknown.empty()) {
        for (const auto& w : why_unknown) undecided.push_back(at(leaf, render_grant(leaf) + ": " + w, expected));
        continue;
      }
      for (const auto& reason : reasons) {
        // Counted, not kept, past the evidence cap: 100,000 grants must not
        // hold 100,000 sentences (issue #20 item 8).
        if (problems.size() < 2 * kMaxEvidence)
          problems.push_back(at(leaf, render_grant(leaf) + ": " + reason, expected));
        else ++problems_left_out_;
        ++found;
      }
    }
    if (found == 0) summary.push_back(tr("no grant to {0} is broader than required", user_));
    else summary.push_back(tr("{0} grant problem(s) for {1} beyond what is required", found, user_));
  }

  // A grant later revoked (last match wins) is not in effect.
  static bool in_effect(const Evaluator& ev, const UserIdentity& user, const HostIdentity& host,
                        const LeafCommand& leaf) {
    const Member& m = *leaf.command;
    std::string path;
    std::optional<std::string> args;
    if (m.kind == Member::Kind::all) path = "/usr/bin/clinic-audit-probe";
    else if (m.command().empty() || m.command()[0] != '/') return true;
    else if (m.command().back() == '/') path = m.command() + "clinic-audit-probe";
    else path = m.command();
    if (m.args && *m.args != "\"\"" && (*m.args)[0] != '^') args = m.args;
    const UserIdentity root{"root", 0, {"root"}, {0}};
    if (!ev.runas_matches(*leaf.command_spec, user, root)) return true;
    return ev.lookup(user, host, root, path, args).decision != Decision::deny;
  }

  // Anyone but root who can replace the command (or a directory on its way)
  // can run anything as root through this grant (checks/file/permissions).
  static std::vector<std::string> command_writers(PathCache& paths, const LeafCommand& leaf) {
    const Member& m = *leaf.command;
    if (m.kind != Member::Kind::command || m.command().empty() || m.command()[0] != '/') return {};
    std::string path = m.command();
    if (path.find_first_of("*?[") != std::string::npos)
      path = path.substr(0, path.rfind('/', path.find_first_of("*?[")) + 1);
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    std::vector<std::string> out;
    try {
      if (!paths.exists(path)) {
        // Whoever can create the missing command chooses what runs as root:
        // judge the nearest directory that exists.
        std::string parent = path;
        do {
          parent = parent.substr(0, std::max<std::size_t>(parent.rfind('/'), 1));
        } while (parent != "/" && !paths.exists(parent));
        for (const auto& w : paths.writers(parent)) {
          out.push_back(tr("{0} does not exist and {1} is writable by {2} ({3}): a non-root user can create {4}", path,
                           w.path, w.who, w.observed, m.command()));
        }
        return out;
      }
      for (const auto& w : paths.writers(path)) {
        out.push_back(tr("{0} is writable by {1} ({2}): {3} can be replaced by a non-root user", w.path, w.who,
                         w.observed, m.command()));
      }
    } catch (const FsError& e) {
      out.push_back(tr("{0} cannot be resolved: {1}", path, e.what()));
    }
    return out;
  }

  void check_file_modes(const SudoersTree& tree, const Accounts& accounts, std::vector<Evidence>& problems,
                        std::vector<std::string>& summary) const {
    std::size_t bad = 0;
    for (const auto& file : tree.files) {
      if (file.uid == 0 && (file.mode & ~0440u & 07777u) == 0) continue;
      if (problems.size() < 2 * kMaxEvidence) {
        problems.push_back(
            {file.path, std::nullopt, describe(file.info(), accounts), _("owner=root mode=0440 or stricter")});
      } else {
        ++problems_left_out_;
      }
      bad_modes_.push_back(file.path);
      ++bad;
    }
    if (bad > 0) summary.push_back(tr("{0} sudoers file(s) not root-owned with mode 0440 or stricter", bad));
  }

  void check_optional(const Evaluator& ev, const UserIdentity& user, const HostIdentity& host,
                      std::vector<Evidence>& problems, std::vector<Evidence>& notes,
                      std::vector<std::string>& summary) const {
    const Alias* alias = ev.alias(AliasKind::command, *optional_alias_);
    if (alias == nullptr) {
      summary.push_back(tr("optional Cmnd_Alias {0} is not defined (optional)", *optional_alias_));
      return;
    }
    const std::string observed = "Cmnd_Alias " + alias->name + " = " + render_list(alias->members);
    const CommandLine expected = CommandLine::parse(*optional_command_);
    const bool exact = alias->members.size() == 1 && alias->members[0].kind == Member::Kind::command &&
                       !alias->members[0].negated && alias->members[0].command() == expected.path &&
                       alias->members[0].args == expected.args;
    if (!exact) {
      problems.push_back(
          {alias->file, alias->line, observed, "Cmnd_Alias " + alias->name + " = " + *optional_command_});
      summary.push_back(tr("{0} differs from the documented {1}", alias->name, *optional_command_));
      return;
    }
    std::string sentence = tr("{0} ({1}) is defined", alias->name, *optional_command_);
    if (expected.args && expected.args->back() == '*') {
      sentence += tr("; its trailing '*' allows any arguments after '{0}'",
                     expected.args->substr(0, expected.args->size() - 1));
    }
    bool granted = false;  // streamed: 100,000 leaves are not kept for this
    ev.for_each_command(user, host, [&](LeafCommand&& l) {
      granted = granted || (!l.negated && std::find(l.via_aliases->begin(), l.via_aliases->end(), alias->name) !=
                                              l.via_aliases->end());
    });
    sentence += granted ? tr(" and granted to {0}", user_) : tr(" but not granted to {0}", user_);
    notes.push_back({alias->file, alias->line, observed, tr("{0} as documented (optional)", *optional_alias_)});
    summary.push_back(sentence);
  }

  std::string allowed_text() const {
    std::string out;
    for (const auto& a : allowed_) out += (out.empty() ? "" : ", ") + a.text();
    return out.empty() ? "nothing" : out;
  }

  // sudoers(5): in a command path, ',', ':', '=', '\\', blanks and '#' are escaped.
  static std::string sudoers_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == ',' || c == ':' || c == '=' || c == '\\' || c == ' ' || c == '\t' || c == '#') out += '\\';
      out += c;
    }
    return out;
  }
  std::string grant_line(const CommandLine& req) const {
    return user_ + " ALL=(" + runas_ + ") " + (nopasswd_ ? "NOPASSWD: " : "") + sudoers_escape(req.path) +
           (req.args ? " " + *req.args : "");
  }

  // Issue #17 item 2: commands a technician pastes (sh -e), idempotent,
  // every value quoted. A missing grant goes at the end of the file of the
  // rule that wins today (deny or password), so that it is read after it
  // and wins by last match; with no such rule, into fix_file. A sudoers
  // file sudo skips for its owner or mode is given to root, not replaced.
  void remediate(Outcome& out, const SudoersTree& tree, const std::vector<std::pair<CommandLine, std::string>>& missing,
                 const std::vector<std::string>& bad_modes) const {
    std::vector<std::string>& cmds = out.remediation_commands;
    std::string prose;
    std::unordered_set<std::string> secured;  // one command per file, in linear time
    auto secure = [&](const std::string& file) {
      if (!secured.insert(file).second) return;
      const std::string f = shell_word(file);
      cmds.push_back("chown root:root " + f + " && chmod 0440 " + f);
    };
    for (const auto& ignored : tree.ignored) {
      if (ignored.warns && ignored.reason.find("not a regular file") == std::string::npos &&
          ignored.reason.find("skips the whole directory") == std::string::npos) {
        secure(ignored.path);
        prose += (prose.empty() ? "" : " ") +
                 tr("sudo skips {0} for its owner or mode: it is given to root:root 0440 (not replaced by a new file).",
                    ignored.path);
      }
    }
    for (const auto& file : bad_modes) secure(file);
    // A FIFO or directory where the grant should go: sudo skips it, and grep
    // or visudo -c -f pasted on a FIFO would wait for ever. No command for
    // it; the prose asks for it to be moved away first.
    std::unordered_set<std::string> not_regular;
    for (const auto& ignored : tree.ignored) {
      if (ignored.reason.find("not a regular file") != std::string::npos) not_regular.insert(ignored.path);
    }
    std::vector<std::string> edited;
    for (const auto& [req, file] : missing) {
      if (not_regular.count(file) != 0) {
        if (std::find(edited.begin(), edited.end(), file) == edited.end()) {
          prose += (prose.empty() ? "" : " ") +
                   tr("{0} is not a regular file (sudo skips it, and a command reading it would wait): move it away, "
                      "then run the audit again for the commands that add the grant.",
                      file);
          edited.push_back(file);
        }
        continue;
      }
      const std::string f = shell_word(file);
      const std::string line = shell_quote(grant_line(req));
      if (std::find(edited.begin(), edited.end(), file) == edited.end()) {
        cmds.push_back("[ -e " + f + " ] || install -m 0440 -o root -g root /dev/null " + f);
        edited.push_back(file);
      }
      cmds.push_back("grep -qxF " + line + " " + f + " || printf '%s\\n' " + line + " >> " + f);
    }
    for (const auto& file : edited) {
      if (not_regular.count(file) == 0) cmds.push_back("visudo -c -f " + shell_word(file));
    }
    if (!missing.empty()) {
      prose += (prose.empty() ? "" : " ") +
               tr("Each missing grant is appended to the file of the rule that decides today (read after it, it wins "
                  "by last match), else to {0}; visudo -c checks the result.",
                  fix_file_);
    }
    if (forbid_broader_) {
      prose += (prose.empty() ? "" : " ") +
               tr("Delete, with visudo -f FILE, the rules the evidence names at FILE:LINE; keep the allowed grants "
                  "({0}).",
                  allowed_text());
    }
    out.remediation = prose;
  }
  std::string user_;
  std::string sudoers_;
  std::optional<std::string> hostname_;
  std::string runas_;
  bool nopasswd_;
  bool forbid_broader_;
  bool file_modes_;
  std::optional<std::string> optional_alias_;
  std::optional<std::string> optional_command_;
  std::string fix_file_;
  std::vector<CommandLine> required_;
  std::vector<CommandLine> allowed_;
  // Filled by run() for remediate(): a check instance runs once at a time.
  mutable std::vector<std::pair<CommandLine, std::string>> missing_;  // required grant, file to append it to
  mutable std::vector<std::string> bad_modes_;
  mutable std::size_t problems_left_out_ = 0;  // problems counted but not kept (evidence cap)
};

}  // namespace

CheckType sudoers_check_type() {
  return {
      "sudoers",
      N_("what sudo lets a user run (includes, aliases, negation, last match wins) against required and forbidden grants"),
      false, [](const Params& params) { return std::make_unique<SudoersCheck>(params); }};
}

}  // namespace clinic_audit
