// The commands that fix what a `file` check found (issue #17 item 2): only
// commands for what is wrong on this host, every path shell-quoted, in an
// order that works when pasted as a whole (create, then owner, then mode,
// then the directories above). Paths are absolute: no "--" is needed.
#pragma once

#include <string>
#include <vector>

namespace clinic_audit {

class FileFix {
 public:
  explicit FileFix(std::string path) : path_(std::move(path)) {}

  void create_directory() { mkdir_ = true; }
  void set_owner(const std::string& owner, const std::string& group) { owner_ = owner, group_ = group; }
  // Symbolic chmod clauses on the path itself, e.g. "u+x", "go-w".
  void add_mode(const std::string& clause);
  // A directory (or the file) anyone but root can write: root:root when
  // owner or a writing group is not root, go-w when those bits are set, no
  // ACL entry granting write.
  void make_root_only(const std::string& path, bool chown_root, bool clear_go_w, bool has_acl);
  // Search permission for others on a directory on the way.
  void allow_search(const std::string& directory);

  std::vector<std::string> commands() const;

 private:
  std::string path_;
  bool mkdir_ = false;
  std::string owner_, group_;
  std::vector<std::string> modes_;
  std::vector<std::string> extra_;  // commands on other paths, in order
};

// "u+x" for 0100 with op '+', "go-w" for 0022 with op '-'; "" for no bits.
std::string symbolic_mode(unsigned bits, char op);

}  // namespace clinic_audit
