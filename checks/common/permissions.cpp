#include "permissions.hpp"
#include "i18n.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace clinic_audit {
namespace {

// include/uapi/linux/posix_acl_xattr.h: little-endian header { u32 version=2 }
// then entries { u16 tag; u16 perm; u32 id; }.
constexpr std::uint32_t kAclVersion = 2;

std::uint32_t le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
unsigned le16(const unsigned char* p) { return static_cast<unsigned>(p[0]) | (static_cast<unsigned>(p[1]) << 8); }

bool in_groups(const Identity& who, gid_t gid) {
  return std::find(who.groups.begin(), who.groups.end(), gid) != who.groups.end();
}

// Non-root users that belong to `gid` (primary or listed member).
std::vector<std::string> non_root_members(const Accounts& accounts, gid_t gid) {
  std::vector<std::string> out;
  for (const auto& user : accounts.users()) {
    if (user.gid == gid && user.uid != 0) out.push_back(user.name);
  }
  if (const auto* group = accounts.group(gid)) {
    for (const auto& member : group->members) {
      const auto* user = accounts.user(member);
      if (user == nullptr || user->uid != 0) out.push_back(member);
    }
  }
  return out;
}

}  // namespace

std::string octal_mode(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

std::string describe(const FileInfo& info, const Accounts& accounts) {
  std::string out = "owner=" + accounts.user_name(info.uid) + " group=" + accounts.group_name(info.gid) +
                    " mode=" + octal_mode(info.mode) + " type=" + std::string(_(to_string(info.type).data()));
  if (!info.acl_xattr.empty()) out += " acl=yes";
  return out;
}

std::vector<AclEntry> decode_acl(std::string_view xattr) {
  std::vector<AclEntry> out;
  if (xattr.size() < 4 || (xattr.size() - 4) % 8 != 0) return out;
  const auto* p = reinterpret_cast<const unsigned char*>(xattr.data());
  if (le32(p) != kAclVersion) return out;
  for (std::size_t off = 4; off + 8 <= xattr.size(); off += 8) {
    AclEntry entry;
    switch (le16(p + off)) {
      case 0x01: entry.tag = AclEntry::Tag::user_obj; break;
      case 0x02: entry.tag = AclEntry::Tag::user; break;
      case 0x04: entry.tag = AclEntry::Tag::group_obj; break;
      case 0x08: entry.tag = AclEntry::Tag::group; break;
      case 0x10: entry.tag = AclEntry::Tag::mask; break;
      case 0x20: entry.tag = AclEntry::Tag::other; break;
      default: return {};
    }
    entry.perm = le16(p + off + 2) & 7u;
    entry.id = le32(p + off + 4);
    out.push_back(entry);
  }
  return out;
}

Identity identity_of(const Accounts& accounts, const PasswdEntry& user) {
  return Identity{user.name, user.uid, accounts.groups_of(user)};
}

bool may_access(const FileInfo& info, const Identity& who, unsigned bits) {
  const unsigned mode = info.mode;
  if (who.uid == 0) {
    // CAP_DAC_OVERRIDE: read/write always; execute needs one x bit on files.
    if ((bits & kExecute) != 0 && info.type != FileType::directory && (mode & 0111u) == 0) return false;
    return true;
  }
  const auto acl = decode_acl(info.acl_xattr);
  // The kernel's acl_permission_check() consults the ACL only when the group
  // class bits (the ACL mask) grant something: with a mask of ---, named
  // users and groups fall back to the mode bits like everyone else (a named
  // user outside the owning group then gets the "other" permissions).
  if (!acl.empty() && (mode & 0070u) != 0) {
    // acl(5) "ACCESS CHECK ALGORITHM".
    unsigned mask = 7;
    for (const auto& e : acl) {
      if (e.tag == AclEntry::Tag::mask) mask = e.perm;
    }
    if (who.uid == info.uid) {
      for (const auto& e : acl) {
        if (e.tag == AclEntry::Tag::user_obj) return (e.perm & bits) == bits;
      }
    }
    for (const auto& e : acl) {
      if (e.tag == AclEntry::Tag::user && e.id == who.uid) return (e.perm & mask & bits) == bits;
    }
    bool matched_group = false;
    for (const auto& e : acl) {
      const bool match = (e.tag == AclEntry::Tag::group_obj && in_groups(who, info.gid)) ||
                         (e.tag == AclEntry::Tag::group && in_groups(who, static_cast<gid_t>(e.id)));
      if (!match) continue;
      matched_group = true;
      if ((e.perm & mask & bits) == bits) return true;
    }
    if (matched_group) return false;
    for (const auto& e : acl) {
      if (e.tag == AclEntry::Tag::other) return (e.perm & bits) == bits;
    }
    return false;
  }
  // generic_permission(): owner class, else group class, else others; the
  // first class that matches decides even if a later one would allow.
  unsigned granted = 0;
  if (who.uid == info.uid) {
    granted = (mode >> 6) & 7u;
  } else if (in_groups(who, info.gid)) {
    granted = (mode >> 3) & 7u;
  } else {
    granted = mode & 7u;
  }
  return (granted & bits) == bits;
}

AccessVerdict check_access(const RootFs& fs, const Identity& who, std::string_view path, unsigned bits) {
  const auto steps = fs.walk(path);
  // Every directory crossed needs search (x) permission; symlink hops do not
  // count (their permissions are ignored, symlink(7)).
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    const auto& info = steps[i].info;
    if (steps[i].is_symlink_hop || info.type != FileType::directory) continue;
    if (!may_access(info, who, kExecute)) {
      return {false, info.path, tr("{0} cannot enter {1} (mode {2})", who.name, info.path, octal_mode(info.mode))};
    }
  }
  const auto& target = steps.back().info;
  if (!may_access(target, who, bits)) {
    std::string want;
    if (bits & kRead) want += _("read");
    if (bits & kWrite) want += want.empty() ? _("write") : std::string("/") + _("write");
    if (bits & kExecute) want += want.empty() ? _("execute") : std::string("/") + _("execute");
    return {false, target.path, tr("{0} cannot {1} {2}", who.name, want, target.path)};
  }
  return {true, {}, {}};
}

std::vector<WriterFinding> non_root_writers(const RootFs& fs, const Accounts& accounts, std::string_view path) {
  std::vector<WriterFinding> out;
  const auto steps = fs.walk(path);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& info = steps[i].info;
    // A symlink's own mode is meaningless; who can replace it is decided by
    // its directory, which is an earlier step.
    if (steps[i].is_symlink_hop) continue;
    const std::string observed = describe(info, accounts);
    if (info.uid != 0) {
      // The owner can chmod the object at will.
      out.push_back({info.path, "owner " + accounts.user_name(info.uid), observed});
    }
    // A sticky directory (e.g. /tmp) lets others create entries but not
    // replace ones they do not own: the next object on the path is safe when root owns it.
    const bool sticky_protects = info.type == FileType::directory && (info.mode & S_ISVTX) != 0 &&
                                 i + 1 < steps.size() && steps[i + 1].info.uid == 0;
    // Creating, removing or renaming an entry needs write *and* search on the
    // directory (may_create/may_delete); a file needs write alone.
    const unsigned need = info.type == FileType::directory ? (kWrite | kExecute) : kWrite;
    const auto acl = decode_acl(info.acl_xattr);
    if (!acl.empty()) {
      unsigned mask = 7;
      for (const auto& e : acl) {
        if (e.tag == AclEntry::Tag::mask) mask = e.perm;
      }
      for (const auto& e : acl) {
        if ((e.perm & need) != need || sticky_protects) continue;
        const bool unmasked = (mask & need) == need;
        if (e.tag == AclEntry::Tag::user && e.id != 0 && unmasked) {
          out.push_back({info.path, "ACL user " + accounts.user_name(static_cast<uid_t>(e.id)), observed});
        } else if (e.tag == AclEntry::Tag::group && unmasked && (e.id != 0 || !non_root_members(accounts, 0).empty())) {
          out.push_back({info.path, "ACL group " + accounts.group_name(static_cast<gid_t>(e.id)), observed});
        } else if (e.tag == AclEntry::Tag::group_obj && unmasked &&
                   (info.gid != 0 || !non_root_members(accounts, 0).empty())) {
          out.push_back({info.path, "group " + accounts.group_name(info.gid), observed});
        } else if (e.tag == AclEntry::Tag::other) {
          out.push_back({info.path, "others", observed});
        }
      }
      continue;
    }
    if (((info.mode >> 3) & need) == need && !sticky_protects &&
        (info.gid != 0 || !non_root_members(accounts, 0).empty())) {
      out.push_back({info.path, "group " + accounts.group_name(info.gid), observed});
    }
    if ((info.mode & need) == need && !sticky_protects) {
      out.push_back({info.path, "others", observed});
    }
  }
  return out;
}

}  // namespace clinic_audit
