// Users and groups of the audited system, read from its /etc/passwd and
// /etc/group (passwd(5), group(5)) -- never from the host's NSS, which would
// describe the auditor's machine instead of the audited root.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clinic_audit {

class RootFs;

struct PasswdEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
  int line = 0;
};

struct GroupEntry {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
  int line = 0;
};

// A line the parser could not use, reported rather than silently dropped.
struct AccountsParseIssue {
  std::string file;
  int line = 0;
  std::string message;
};

// Pure parsers: text in, entries out. Malformed lines become issues.
std::vector<PasswdEntry> parse_passwd(std::string_view text, std::vector<AccountsParseIssue>* issues,
                                      std::string_view file = "/etc/passwd");
std::vector<GroupEntry> parse_group(std::string_view text, std::vector<AccountsParseIssue>* issues,
                                    std::string_view file = "/etc/group");

class Accounts {
 public:
  Accounts() = default;
  Accounts(std::vector<PasswdEntry> users, std::vector<GroupEntry> groups);
  // Reads /etc/passwd and /etc/group inside `fs`. Throws FsError when missing.
  static Accounts load(const RootFs& fs);

  // The first entry wins, as with glibc's "files" NSS backend.
  const PasswdEntry* user(std::string_view name) const;
  const PasswdEntry* user(uid_t uid) const;
  const GroupEntry* group(std::string_view name) const;
  const GroupEntry* group(gid_t gid) const;

  // Primary group plus every group that lists the user as a member
  // (what initgroups(3) gives a process of that user).
  std::vector<gid_t> groups_of(const PasswdEntry& user) const;

  std::string user_name(uid_t uid) const;  // name, or the number when unknown
  std::string group_name(gid_t gid) const;

  const std::vector<AccountsParseIssue>& issues() const { return issues_; }
  // Every entry, in file order (duplicates included).
  const std::vector<PasswdEntry>& users() const { return users_; }
  const std::vector<GroupEntry>& groups() const { return groups_; }

 private:
  // Lookup indexes by id (first entry wins): a hostile /etc/group of 100,000
  // groups must not make each id lookup, or groups_of, scan it all again.
  // Lookups by name are few per check and stay linear, saving the memory.
  void build_index();
  std::vector<PasswdEntry> users_;
  std::vector<GroupEntry> groups_;
  std::vector<AccountsParseIssue> issues_;
  std::unordered_map<uid_t, std::size_t> user_by_uid_;
  std::unordered_map<gid_t, std::size_t> group_by_gid_;
};

}  // namespace clinic_audit
