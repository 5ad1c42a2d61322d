// The permission model (may_access, check_access, non_root_writers): its
// rules one by one. permissions_kernel_test.cpp judges it against the kernel.
#include "permissions_test_support.hpp"

#include <gtest/gtest.h>

namespace clinic_audit {
namespace {

using namespace permissions_test;  // the helpers and fixture of permissions_test_support.hpp

TEST_F(PermissionsTest, IdentityHasPrimaryAndSupplementaryGroups) {
  EXPECT_EQ(id("alice").groups, (std::vector<gid_t>{1000, 4, 27, 33}));
  EXPECT_EQ(id("carol").groups, (std::vector<gid_t>{4}));
  EXPECT_EQ(id("bob").groups, (std::vector<gid_t>{1001, 50}));
  EXPECT_EQ(id("www-data").uid, 33u);
  EXPECT_EQ(id("www-data").name, "www-data");
}

FileInfo info(mode_t mode, uid_t uid, gid_t gid, FileType type = FileType::regular) {
  FileInfo i;
  i.path = "/f";
  i.type = type;
  i.mode = mode;
  i.uid = uid;
  i.gid = gid;
  return i;
}

TEST_F(PermissionsTest, ClassesWithoutAcl) {
  const Identity alice = id("alice");
  // Owner class decides even when others would allow.
  EXPECT_FALSE(may_access(info(0047, 1000, 1000), alice, kRead));
  EXPECT_FALSE(may_access(info(0077, 1000, 4), alice, kWrite));
  // Group class (supplementary group adm) decides before others.
  EXPECT_TRUE(may_access(info(0040, 0, 4), alice, kRead));
  EXPECT_FALSE(may_access(info(0407, 0, 4), alice, kRead));
  EXPECT_TRUE(may_access(info(0004, 0, 50), alice, kRead));
  EXPECT_FALSE(may_access(info(0004, 0, 50), alice, kRead | kWrite));
  EXPECT_TRUE(may_access(info(0600, 1000, 0), alice, kRead | kWrite));
  EXPECT_FALSE(may_access(info(0600, 1000, 0), alice, kExecute));
  // carol's primary group is adm.
  EXPECT_TRUE(may_access(info(0070, 0, 4), id("carol"), kRead | kWrite | kExecute));
}

TEST_F(PermissionsTest, RootRules) {
  const Identity root = id("root");
  EXPECT_TRUE(may_access(info(0000, 1000, 1000), root, kRead | kWrite));
  EXPECT_FALSE(may_access(info(0000, 1000, 1000), root, kExecute));
  EXPECT_TRUE(may_access(info(0001, 1000, 1000), root, kExecute));
  EXPECT_TRUE(may_access(info(0010, 1000, 1000), root, kExecute));
  EXPECT_TRUE(may_access(info(0000, 1000, 1000, FileType::directory), root, kExecute));
}

std::string acl_bytes(const std::vector<std::array<std::uint32_t, 3>>& entries, std::uint32_t version = 2) {
  std::string out;
  auto put = [&](std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put(version, 4);
  for (const auto& [tag, perm, eid] : entries) {
    put(tag, 2);
    put(perm, 2);
    put(eid, 4);
  }
  return out;
}

TEST(DecodeAcl, EntriesAndMalformedInput) {
  const auto acl = decode_acl(acl_bytes({{0x01, 6, 0xffffffff},
                                         {0x02, 7, 33},
                                         {0x04, 4, 0xffffffff},
                                         {0x08, 2, 27},
                                         {0x10, 5, 0xffffffff},
                                         {0x20, 0x0c, 0xffffffff}}));
  ASSERT_EQ(acl.size(), 6u);
  EXPECT_EQ(acl[0].tag, AclEntry::Tag::user_obj);
  EXPECT_EQ(acl[0].perm, 6u);
  EXPECT_EQ(acl[1].tag, AclEntry::Tag::user);
  EXPECT_EQ(acl[1].perm, 7u);
  EXPECT_EQ(acl[1].id, 33u);
  EXPECT_EQ(acl[2].tag, AclEntry::Tag::group_obj);
  EXPECT_EQ(acl[3].tag, AclEntry::Tag::group);
  EXPECT_EQ(acl[3].id, 27u);
  EXPECT_EQ(acl[4].tag, AclEntry::Tag::mask);
  EXPECT_EQ(acl[4].perm, 5u);
  EXPECT_EQ(acl[5].tag, AclEntry::Tag::other);
  EXPECT_EQ(acl[5].perm, 4u);  // only rwx bits are kept

  EXPECT_TRUE(decode_acl("").empty());
  EXPECT_TRUE(decode_acl(acl_bytes({})).empty());
  EXPECT_TRUE(decode_acl(acl_bytes({{0x01, 6, 0}}, 1)).empty());             // wrong version
  EXPECT_TRUE(decode_acl(acl_bytes({{0x01, 6, 0}, {0x40, 6, 0}})).empty());  // unknown tag
  EXPECT_TRUE(decode_acl(acl_bytes({{0x01, 6, 0}}) + "x").empty());          // truncated entry
}

TEST_F(PermissionsTest, OctalAndDescribe) {
  EXPECT_EQ(octal_mode(0755), "0755");
  EXPECT_EQ(octal_mode(04755), "4755");
  EXPECT_EQ(octal_mode(0100644), "0644");
  EXPECT_EQ(octal_mode(0), "0000");
  FileInfo f = info(0640, 33, 4);
  EXPECT_EQ(describe(f, accounts_), "owner=www-data group=adm mode=0640 type=regular file");
  f.uid = 4242;
  f.gid = 4343;
  f.acl_xattr = acl_bytes({{0x01, 6, 0}});
  f.type = FileType::directory;
  EXPECT_EQ(describe(f, accounts_), "owner=4242 group=4343 mode=0640 type=directory acl=yes");
}

// --- Differential: may_access and non_root_writers vs the kernel ------------

}  // namespace
}  // namespace clinic_audit
