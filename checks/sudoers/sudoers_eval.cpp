// Over 400 lines: sudo's matching rules (plugins/sudoers/match.c,
// match_command.c: users, hosts, runas, commands, last match wins) in one
// place, as sudo has them.
#include "sudoers_eval.hpp"

#include <fnmatch.h>
#include <regex.h>
#include <strings.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "common/regex_guard.hpp"

namespace clinic_audit::sudoers {
namespace {

// Aliases may refer to aliases to any depth (sudo expands them all and
// detects cycles: alias.c alias_get() "used"). Beyond this depth, or in a
// cycle, the evaluator stops and says so (Evaluator::depth_exceeded()):
// the check is then an error, never a verdict on a dropped member.
constexpr int kMaxAliasDepth = 2048;
constexpr std::size_t kMaxLeaves = 1u << 20;

Decision from(bool matched, bool negated) {
  if (!matched) return Decision::unspecified;
  return negated ? Decision::deny : Decision::allow;
}

// An alias result seen through a (possibly negated) reference.
Decision through(Decision inner, bool negated) {
  if (inner == Decision::unspecified || !negated) return inner;
  return inner == Decision::allow ? Decision::deny : Decision::allow;
}

// Each pattern compiled once per thread, not at every lookup (a rule is
// matched against every command judged: 12 compilations of one pattern per
// fuzz input). Bounded: the cache is emptied past kMaxCachedRegexes.
// A pattern the guard refuses is never compiled (the parser reported it
// already and the check is an error); the refusal is cached like a
// compilation, so the guard's replay runs once per pattern, not per lookup.
struct CompiledRegex {
  regex_t re{};
  bool ok = false;
  explicit CompiledRegex(const std::string& pattern)
      : ok(!regex_too_complex(pattern) && regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0) {}
  ~CompiledRegex() {
    if (ok) regfree(&re);
  }
  CompiledRegex(const CompiledRegex&) = delete;
  CompiledRegex& operator=(const CompiledRegex&) = delete;
};
constexpr std::size_t kMaxCachedRegexes = 1024;

bool regex_matches(const std::string& pattern, const std::string& text) {
  thread_local std::unordered_map<std::string, std::unique_ptr<CompiledRegex>> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    if (cache.size() >= kMaxCachedRegexes) cache.clear();
    it = cache.emplace(pattern, std::make_unique<CompiledRegex>(pattern)).first;
  }
  return it->second->ok && regexec(&it->second->re, text.c_str(), 0, nullptr, 0) == 0;
}

bool has_meta(const std::string& s) { return s.find_first_of("\\?*[]") != std::string::npos; }

// match_command.c command_args_match().
bool args_match(const Member& leaf, const std::optional<std::string>& user_args) {
  if (!leaf.args) return true;                          // sudoers(5): no arguments given means any arguments
  if (!user_args && *leaf.args == "\"\"") return true;  // "" means no arguments
  const std::string given = user_args.value_or("");
  if (!leaf.args->empty() && (*leaf.args)[0] == '^') return regex_matches(*leaf.args, given);
  const int flags = leaf.command() == "sudoedit" ? FNM_PATHNAME : 0;
  return fnmatch(leaf.args->c_str(), given.c_str(), flags) == 0;
}

}  // namespace

namespace {

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }
std::string dir_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// The same file by another name: same base name (sudo compares base names
// first) and the same file once symlinks are resolved (merged /usr: /bin/ls
// is /usr/bin/ls).
bool same_file(const std::string& rule, const std::string& path, const PathResolver& resolve) {
  if (!resolve || base_name(rule) != base_name(path)) return false;
  const auto a = resolve(rule);
  const auto b = resolve(path);
  return a && b && *a == *b;
}

// A glob whose directory part has no wildcard, matched in the resolved directory.
bool glob_matches_resolved(const std::string& pattern, const std::string& path, const PathResolver& resolve) {
  if (!resolve) return false;
  const std::string dir = dir_name(pattern);
  if (has_meta(dir)) return false;
  const auto d = resolve(dir);
  const auto p = resolve(path);
  if (!d || !p) return false;
  const std::string rebased = (*d == "/" ? "" : *d) + "/" + base_name(pattern);
  return fnmatch(rebased.c_str(), p->c_str(), FNM_PATHNAME) == 0;
}

}  // namespace

bool leaf_command_matches(const Member& leaf, const std::string& path, const std::optional<std::string>& args,
                          const PathResolver& resolve) {
  if (leaf.kind == Member::Kind::all) return true;
  const std::string& cmnd = leaf.command();
  if (cmnd.empty()) return false;
  if (cmnd[0] == '^') return regex_matches(cmnd, path) && args_match(leaf, args);
  if (cmnd[0] != '/') return cmnd == path && args_match(leaf, args);  // sudoedit, list
  if (has_meta(cmnd)) {
    // sudoers(5): wildcards in the path do not match '/'.
    const bool named =
        fnmatch(cmnd.c_str(), path.c_str(), FNM_PATHNAME) == 0 || glob_matches_resolved(cmnd, path, resolve);
    return named && args_match(leaf, args);
  }
  if (cmnd.back() == '/') {
    // A directory: any command directly inside it, never a subdirectory.
    if (path.size() > cmnd.size() && path.compare(0, cmnd.size(), cmnd) == 0 &&
        path.find('/', cmnd.size()) == std::string::npos) {
      return true;
    }
    if (!resolve) return false;
    const auto d = resolve(cmnd.substr(0, cmnd.size() - 1));
    const auto p = resolve(path);
    return d && p && dir_name(*p) == *d && base_name(*p) == base_name(path);
  }
  return (cmnd == path || same_file(cmnd, path, resolve)) && args_match(leaf, args);
}

namespace {

// "YYYYMMDDHHMMSSZ" (parse_gentime()'s normal form) as a time.
std::time_t gentime_to_time(const std::string& t) {
  std::tm tm{};
  if (t.size() < 14) return 0;
  auto num = [&](std::size_t at, std::size_t len) { return std::stoi(t.substr(at, len)); };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(8, 2);
  tm.tm_min = num(10, 2);
  tm.tm_sec = num(12, 2);
  return timegm(&tm);
}

// match_addr.c addr_matches_if()/addr_matches_if_netmask(): an address
// (optionally "/bits" or "/mask") against one interface address.
bool network_matches(const std::string& spec, const std::string& address) {
  const std::size_t slash = spec.find('/');
  const std::string net = spec.substr(0, slash);
  const bool v6 = net.find(':') != std::string::npos;
  unsigned char a[16] = {};
  unsigned char n[16] = {};
  unsigned char mask[16] = {};
  const int family = v6 ? AF_INET6 : AF_INET;
  const std::size_t len = v6 ? 16 : 4;
  if (inet_pton(family, net.c_str(), n) != 1 || inet_pton(family, address.c_str(), a) != 1) return false;
  if (slash == std::string::npos) return std::memcmp(a, n, len) == 0;
  const std::string m = spec.substr(slash + 1);
  if (m.find_first_not_of("0123456789") == std::string::npos && !m.empty() && m.size() <= 3) {
    std::size_t bits = std::min<std::size_t>(std::stoul(m), len * 8);
    for (std::size_t i = 0; i < len; ++i, bits = bits >= 8 ? bits - 8 : 0) {
      mask[i] = static_cast<unsigned char>(bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
    }
  } else if (inet_pton(family, m.c_str(), mask) != 1) {
    return false;
  }
  for (std::size_t i = 0; i < len; ++i) {
    if ((a[i] & mask[i]) != (n[i] & mask[i])) return false;
  }
  return true;
}

}  // namespace

// The live machine's interface addresses (match_addr.c reads the same
// through the front end's interface list).
std::vector<std::pair<std::string, std::string>> live_interface_addresses() {
  std::vector<std::pair<std::string, std::string>> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    // sudo's front end (interfaces.c get_net_ifs()) leaves loopback out.
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const int family = i->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr);
    if (inet_ntop(family, raw, text, sizeof text) != nullptr) out.emplace_back(text, "");
  }
  freeifaddrs(list);
  return out;
}

bool Evaluator::in_window(const CommandSpec& cs) const {
  if (cs.options->notbefore && now_ < gentime_to_time(*cs.options->notbefore)) return false;
  if (cs.options->notafter && now_ > gentime_to_time(*cs.options->notafter)) return false;
  return true;
}

bool Evaluator::expired(const CommandSpec& cs) const {
  return cs.options->notafter && now_ > gentime_to_time(*cs.options->notafter);
}

bool leaf_command_matches(const Member& leaf, const std::string& path, const std::optional<std::string>& args) {
  return leaf_command_matches(leaf, path, args, PathResolver{});
}

Evaluator::Evaluator(const SudoersTree& tree, PathResolver resolve, FileDigester digester)
    : resolve_(std::move(resolve)), digester_(std::move(digester)), now_(std::time(nullptr)) {
  specs_.reserve(tree.user_specs.size());  // no spare half: 100,000 specs, one evaluator per check
  defaults_.reserve(tree.defaults_entries.size());
  for (const auto& e : tree.order) {
    if (e.entry.kind == Entry::Kind::user_spec) specs_.push_back(&tree.user_spec(e));
    if (e.entry.kind == Entry::Kind::defaults) defaults_.push_back(&tree.defaults(e));
    if (e.entry.kind == Entry::Kind::alias) {
      const Alias& a = tree.alias(e);
      aliases_[static_cast<std::size_t>(a.kind)].emplace(a.name, &a);
    }
  }
}

// alias.c alias_get(): an alias already being expanded is a cycle.
class Evaluator::Entering {
 public:
  Entering(const Evaluator& ev, const Alias* a) : ev_(ev), a_(a) {
    if (a_ != nullptr && !ev_.active_.insert(a_).second) {
      ev_.depth_exceeded_ = true;
      a_ = nullptr;
      cycle_ = true;
    }
  }
  ~Entering() {
    if (a_ != nullptr) ev_.active_.erase(a_);
  }
  Entering(const Entering&) = delete;
  Entering& operator=(const Entering&) = delete;
  bool cycle() const { return cycle_; }

 private:
  const Evaluator& ev_;
  const Alias* a_;
  bool cycle_ = false;
};

bool Evaluator::deep_enough(int depth) const {
  if (depth < kMaxAliasDepth) return true;
  depth_exceeded_ = true;
  return false;
}

const Alias* Evaluator::alias(AliasKind kind, const std::string& name) const {
  const auto& table = aliases_[static_cast<std::size_t>(kind)];
  const auto found = table.find(std::string_view(name));
  return found == table.end() ? nullptr : found->second;
}

// match.c user_matches()/userpw_matches()/usergr_matches().
Decision Evaluator::user_member(const Member& m, const UserIdentity& user, AliasKind kind, int depth) const {
  switch (m.kind) {
    case Member::Kind::all: return from(true, m.negated);
    case Member::Kind::alias: {
      const Alias* a = deep_enough(depth) ? alias(kind, m.name) : nullptr;
      const Entering entering(*this, a);
      if (entering.cycle()) return Decision::unspecified;
      if (a != nullptr) return through(user_list(a->members, user, kind, depth + 1), m.negated);
      [[fallthrough]];  // match.c: an undefined alias is matched as a name
    }
    case Member::Kind::word:
      if (!m.name.empty() && m.name[0] == '#') {
        return from(user.uid && m.name.substr(1) == std::to_string(*user.uid), m.negated);
      }
      return from(m.name == user.name, m.negated);
    case Member::Kind::user_group: {
      std::string group = m.name.substr(1);
      if (!group.empty() && group[0] == ':') return Decision::unspecified;  // non-Unix group: no plugin here
      if (!group.empty() && group[0] == '#') {
        const std::string id = group.substr(1);
        return from(std::any_of(user.gids.begin(), user.gids.end(), [&](gid_t g) { return std::to_string(g) == id; }),
                    m.negated);
      }
      return from(std::find(user.groups.begin(), user.groups.end(), group) != user.groups.end(), m.negated);
    }
    default: return Decision::unspecified;  // netgroups: no NIS in an audited image
  }
}

Decision Evaluator::user_list(std::span<const Member> list, const UserIdentity& user, AliasKind kind, int depth) const {
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const Decision d = user_member(*it, user, kind, depth);
    if (d != Decision::unspecified) return d;
  }
  return Decision::unspecified;
}

Decision Evaluator::user_matches(std::span<const Member> list, const UserIdentity& user) const {
  return user_list(list, user, AliasKind::user, 0);
}

// match.c host_matches(): names compare without case, with glob patterns;
// a name with a dot is compared to the fully-qualified name. Addresses and
// netgroups cannot be judged from a disk image: they are taken to match, so
// that a grant is never overlooked.
Decision Evaluator::host_member(const Member& m, const HostIdentity& host, int depth) const {
  switch (m.kind) {
    case Member::Kind::all:
    case Member::Kind::netgroup: return from(true, m.negated);
    case Member::Kind::network: {
      if (!host.interfaces) return from(host.networks_match_when_unknown, m.negated);
      const bool matched = std::any_of(host.interfaces->begin(), host.interfaces->end(),
                                       [&](const auto& i) { return network_matches(m.name, i.first); });
      return from(matched, m.negated);
    }
    case Member::Kind::alias: {
      const Alias* a = deep_enough(depth) ? alias(AliasKind::host, m.name) : nullptr;
      const Entering entering(*this, a);
      if (entering.cycle()) return Decision::unspecified;
      if (a != nullptr) return through(host_list(a->members, host, depth + 1), m.negated);
      [[fallthrough]];
    }
    default: {
      const std::string& name = m.name.find('.') != std::string::npos ? host.fqdn : host.short_name;
      const bool matched = has_meta(m.name) ? fnmatch(m.name.c_str(), name.c_str(), FNM_CASEFOLD) == 0
                                            : strcasecmp(m.name.c_str(), name.c_str()) == 0;
      return from(matched, m.negated);
    }
  }
}

Decision Evaluator::host_list(std::span<const Member> list, const HostIdentity& host, int depth) const {
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const Decision d = host_member(*it, host, depth);
    if (d != Decision::unspecified) return d;
  }
  return Decision::unspecified;
}

Decision Evaluator::host_matches(std::span<const Member> list, const HostIdentity& host) const {
  return host_list(list, host, 0);
}

// match.c runaslist_matches() for `sudo CMD` (no -u/-g: runas_default root)
// or `sudo -u TARGET CMD`.
bool Evaluator::runas_matches(const CommandSpec& cs, const UserIdentity& invoking, const UserIdentity& target) const {
  if (!cs.runas_users && !cs.runas_groups) return target.name == "root";
  // Only groups, "(:wheel)": the command runs as the invoking user, but only
  // with -g; `sudo -u SELF` without -g is not matched (checked with sudo -l).
  if (!cs.runas_users) return false;
  for (auto it = cs.runas_users->rbegin(); it != cs.runas_users->rend(); ++it) {
    Decision d;
    if (it->kind == Member::Kind::myself) d = from(target.name == invoking.name, it->negated);
    else d = user_member(*it, target, AliasKind::runas, 0);
    if (d != Decision::unspecified) return d == Decision::allow;
  }
  return false;
}

// match_command.c then match_digest.c: the name (and arguments) first, then
// the file's digest when the rule names one. The digest is that of the file
// the user runs (for a plain path, the same inode as the rule's).
bool Evaluator::leaf_matches(const Member& leaf, const std::string& path, const std::optional<std::string>& args,
                             bool negated) const {
  if (!leaf_command_matches(leaf, path, args, resolve_)) return false;
  if (leaf.digests->empty()) return true;
  if (path.empty() || path[0] != '/') return false;  // sudo cannot open it: no match
  const DigestCheck check = check_digests(leaf.digests, path, digester_);
  switch (check.verdict) {
    case DigestVerdict::match: return true;
    case DigestVerdict::mismatch:
      if (std::find(mismatches_.begin(), mismatches_.end(), check.detail) == mismatches_.end() &&
          mismatches_.size() < 16) {
        mismatches_.push_back(check.detail);
      }
      return false;
    case DigestVerdict::unknown: break;
  }
  if (std::find(undecided_.begin(), undecided_.end(), check.detail) == undecided_.end() && undecided_.size() < 16) {
    undecided_.push_back(check.detail);
  }
  return negated ? !grant_when_unknown_ : grant_when_unknown_;
}

Decision Evaluator::command_member(const Member& m, const std::string& path, const std::optional<std::string>& args,
                                   bool outer_negated, int depth) const {
  if (m.kind == Member::Kind::alias) {
    const Alias* a = deep_enough(depth) ? alias(AliasKind::command, m.name) : nullptr;
    const Entering entering(*this, a);
    if (a == nullptr || entering.cycle()) return Decision::unspecified;
    for (auto it = a->members.rbegin(); it != a->members.rend(); ++it) {
      const Decision d = command_member(*it, path, args, outer_negated != m.negated, depth + 1);
      if (d != Decision::unspecified) return through(d, m.negated);
    }
    return Decision::unspecified;
  }
  return from(leaf_matches(m, path, args, outer_negated != m.negated), m.negated);
}

Decision Evaluator::command_matches(const Member& m, const std::string& path,
                                    const std::optional<std::string>& args) const {
  return command_member(m, path, args, false, 0);
}

// parse.c sudoers_lookup(): user specs, privileges and Cmnd_Specs are read
// from the end; the first that says something about the command decides.
LookupResult Evaluator::lookup(const UserIdentity& user, const HostIdentity& host, const UserIdentity& target,
                               const std::string& path, const std::optional<std::string>& args) const {
  for (auto us = specs_.rbegin(); us != specs_.rend(); ++us) {
    if (user_matches((*us)->users, user) != Decision::allow) continue;
    for (auto priv = (*us)->privileges.rbegin(); priv != (*us)->privileges.rend(); ++priv) {
      if (host_matches(priv->hosts, host) != Decision::allow) continue;
      for (auto cs = priv->commands.rbegin(); cs != priv->commands.rend(); ++cs) {
        if (!runas_matches(*cs, user, target) || !in_window(*cs)) continue;
        const Decision d = command_matches(cs->command, path, args);
        if (d == Decision::unspecified) continue;
        // Name the leaf that decided, through any aliases.
        std::deque<LeafCommand> leaves;
        std::vector<std::string> via;
        std::size_t count = 0;
        expand(
            cs->command, false, via, **us, *cs, [&leaves](LeafCommand&& l) { leaves.push_back(std::move(l)); }, count,
            0);
        LookupResult result{d, std::nullopt};
        for (auto leaf = leaves.rbegin(); leaf != leaves.rend(); ++leaf) {
          if (leaf_matches(*leaf->command, path, args, leaf->negated)) {
            result.rule = *leaf;
            break;
          }
        }
        return result;
      }
    }
  }
  return {};
}

void Evaluator::expand(const Member& m, bool negated, std::vector<std::string>& via, const UserSpec& spec,
                       const CommandSpec& cs, const LeafSink& out, std::size_t& count, int depth) const {
  const bool now_negated = negated != m.negated;
  if (count >= kMaxLeaves) {  // aliases naming aliases twice over grow exponentially
    depth_exceeded_ = true;
    return;
  }
  if (m.kind != Member::Kind::alias) {
    ++count;
    out({&spec, &cs, &m, via.empty() ? Boxed<std::vector<std::string>>() : Boxed<std::vector<std::string>>(via),
         now_negated});
    return;
  }
  const Alias* a = deep_enough(depth) ? alias(AliasKind::command, m.name) : nullptr;
  const Entering entering(*this, a);
  if (a == nullptr || entering.cycle()) return;
  via.push_back(m.name);
  for (const auto& inner : a->members) expand(inner, now_negated, via, spec, cs, out, count, depth + 1);
  via.pop_back();
}

void Evaluator::for_each_command(const UserIdentity& user, const HostIdentity& host, const LeafSink& out) const {
  std::size_t count = 0;
  for (const UserSpec* us : specs_) {
    if (user_matches(us->users, user) != Decision::allow) continue;
    for (const auto& priv : us->privileges) {
      if (host_matches(priv.hosts, host) != Decision::allow) continue;
      for (const auto& cs : priv.commands) {
        std::vector<std::string> via;
        expand(cs.command, false, via, *us, cs, out, count, 0);
      }
    }
  }
}

std::deque<LeafCommand> Evaluator::commands_for(const UserIdentity& user, const HostIdentity& host) const {
  std::deque<LeafCommand> out;
  for_each_command(user, host, [&out](LeafCommand&& l) { out.push_back(std::move(l)); });
  return out;
}

bool Evaluator::defaults_flag(const std::string& name, bool initial, const UserIdentity& user, const HostIdentity& host,
                              const UserIdentity& target) const {
  bool value = initial;
  const DefaultsEntry::Binding order[] = {DefaultsEntry::Binding::global, DefaultsEntry::Binding::host,
                                          DefaultsEntry::Binding::user, DefaultsEntry::Binding::runas};
  for (const auto binding : order) {
    for (const DefaultsEntry* d : defaults_) {
      if (d->binding != binding) continue;
      if (binding == DefaultsEntry::Binding::host && host_matches(d->bound_to, host) != Decision::allow) continue;
      if (binding == DefaultsEntry::Binding::user && user_matches(d->bound_to, user) != Decision::allow) continue;
      if (binding == DefaultsEntry::Binding::runas &&
          user_list(d->bound_to, target, AliasKind::runas, 0) != Decision::allow) {
        continue;
      }
      for (const auto& setting : d->settings) {
        if (setting.name == name && !setting.value) value = setting.op != '!';
      }
    }
  }
  return value;
}

bool Evaluator::authenticate_by_default(const UserIdentity& user, const HostIdentity& host,
                                        const UserIdentity& target) const {
  return defaults_flag("authenticate", true, user, host, target);
}

bool shell_is_listed(const std::string& shell, const std::optional<std::string>& etc_shells) {
  // pwutil_impl.c make_pwitem(): an empty shell is _PATH_BSHELL.
  const std::string wanted = shell.empty() ? "/bin/sh" : shell;
  // glibc getusershell(): without /etc/shells, /bin/sh and /bin/csh.
  if (!etc_shells) return wanted == "/bin/sh" || wanted == "/bin/csh";
  // glibc initshells(): on each line, from the first '/' (a '#' first makes
  // it a comment) up to a blank or '#'; a lone "/" is skipped.
  std::size_t pos = 0;
  const std::string& text = *etc_shells;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    const std::size_t start = line.find_first_of("#/");
    if (start == std::string_view::npos || line[start] == '#' || start + 1 >= line.size()) continue;
    std::size_t stop = start;
    while (stop < line.size() && line[stop] != '#' && line[stop] != ' ' && line[stop] != '\t' && line[stop] != '\r' &&
           line[stop] != '\v' && line[stop] != '\f') {
      ++stop;
    }
    if (line.substr(start, stop - start) == wanted) return true;
  }
  return false;
}

std::vector<const UserSpec*> Evaluator::specs_mentioning(const UserIdentity& user) const {
  std::vector<const UserSpec*> out;
  for (const UserSpec* us : specs_) {
    const bool any = std::any_of(us->users.begin(), us->users.end(), [&](const Member& m) {
      return user_member(m, user, AliasKind::user, 0) == Decision::allow;
    });
    if (any) out.push_back(us);
  }
  return out;
}

}  // namespace clinic_audit::sudoers
