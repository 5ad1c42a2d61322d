// Who may read, write or execute a file of the audited root, judged the way
// the kernel does (generic_permission(), acl(5)), with users and groups from
// the root's own /etc/passwd and /etc/group. Shared by every check that must
// decide "can www-data do X" or "could anyone but root replace this file"
// (the file check, the sudoers check's command paths).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/accounts.hpp"
#include "common/root_fs.hpp"

namespace clinic_audit {

enum AccessBits : unsigned { kRead = 4, kWrite = 2, kExecute = 1 };

// A decoded POSIX ACL entry (acl(5)): ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ,
// ACL_GROUP, ACL_MASK, ACL_OTHER.
struct AclEntry {
  enum class Tag { user_obj, user, group_obj, group, mask, other };
  Tag tag = Tag::other;
  unsigned perm = 0;     // rwx as 4/2/1
  std::uint32_t id = 0;  // uid or gid for named entries
};
// Decodes the system.posix_acl_access xattr; empty input or a malformed
// attribute gives no entries.
std::vector<AclEntry> decode_acl(std::string_view xattr);

// The identity a process of `user` has (initgroups(3): primary + supplementary).
struct Identity {
  std::string name;
  uid_t uid = 0;
  std::vector<gid_t> groups;
};
Identity identity_of(const Accounts& accounts, const PasswdEntry& user);

// The kernel's decision for `who` wanting `bits` on `info` (mode bits, or the
// ACL when the object has one). Root may read/write anything and execute a
// file with at least one execute bit.
bool may_access(const FileInfo& info, const Identity& who, unsigned bits);

struct AccessVerdict {
  bool allowed = false;
  std::string blocked_at;  // in-root path that denies (a directory without search, or the file)
  std::string reason;      // human sentence, e.g. "/home/EHR is mode 0700 owned by root"
};
// `who` wanting `bits` on `path`: search permission on every directory
// crossed (symlinks followed), then `bits` on the object itself.
// Throws FsError when the path cannot be resolved.
AccessVerdict check_access(const RootFs& fs, const Identity& who, std::string_view path, unsigned bits);

// Someone other than root who could modify or replace the object at `path`.
struct WriterFinding {
  std::string path;      // the object that gives the write access
  std::string who;       // "owner www-data", "group www-data", "others", "ACL user bob"...
  std::string observed;  // "owner=www-data group=root mode=0755"
};
// Every component of `path` (directories crossed, symlinks' directories, the
// object itself) that a non-root user could write: owner not root, group
// write for a group with non-root members (or any non-root group), others
// write (except a sticky directory whose next entry is root-owned), ACL
// entries granting write. Empty means only root can change what `path` is.
std::vector<WriterFinding> non_root_writers(const RootFs& fs, const Accounts& accounts, std::string_view path);

// "owner=root group=root mode=0755 type=regular file"
std::string describe(const FileInfo& info, const Accounts& accounts);
std::string octal_mode(unsigned mode);

}  // namespace clinic_audit
