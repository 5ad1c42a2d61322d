#include "file_fix.hpp"

#include <algorithm>

#include "common/shell_quote.hpp"

namespace clinic_audit {

std::string symbolic_mode(unsigned bits, char op) {
  // chmod(1) symbolic modes: one clause per set of users with the same bits.
  struct Who {
    char letter;
    unsigned shift;
  };
  static constexpr Who kWho[] = {{'u', 6}, {'g', 3}, {'o', 0}};
  std::string out;
  auto perms = [](unsigned three) {
    std::string p;
    if (three & 4u) p += 'r';
    if (three & 2u) p += 'w';
    if (three & 1u) p += 'x';
    return p;
  };
  // Group users with the same permission letters ("go-w" rather than "g-w,o-w").
  std::vector<std::pair<std::string, std::string>> clauses;  // who, perms
  for (const auto& who : kWho) {
    const std::string p = perms((bits >> who.shift) & 7u);
    if (p.empty()) continue;
    auto it = std::find_if(clauses.begin(), clauses.end(), [&](const auto& c) { return c.second == p; });
    if (it != clauses.end()) {
      it->first += who.letter;
    } else {
      clauses.push_back({std::string(1, who.letter), p});
    }
  }
  for (const auto& [who, p] : clauses) out += (out.empty() ? "" : ",") + who + op + p;
  if (bits & 04000u) out += std::string(out.empty() ? "" : ",") + "u" + op + "s";
  if (bits & 02000u) out += std::string(out.empty() ? "" : ",") + "g" + op + "s";
  if (bits & 01000u) out += std::string(out.empty() ? "" : ",") + op + "t";
  return out;
}

void FileFix::add_mode(const std::string& clause) {
  if (!clause.empty() && std::find(modes_.begin(), modes_.end(), clause) == modes_.end()) modes_.push_back(clause);
}

void FileFix::make_root_only(const std::string& path, bool chown_root, bool clear_go_w, bool has_acl) {
  if (path == path_) {
    if (chown_root && owner_.empty()) owner_ = "root", group_ = "root";
    if (clear_go_w) add_mode("go-w");
    if (has_acl) extra_.insert(extra_.begin(), "setfacl -b " + shell_word(path));
    return;
  }
  std::vector<std::string> commands;
  if (chown_root) commands.push_back("chown root:root " + shell_word(path));
  if (clear_go_w) commands.push_back("chmod go-w " + shell_word(path));
  if (has_acl) commands.push_back("setfacl -b " + shell_word(path));
  for (const auto& command : commands) {
    if (std::find(extra_.begin(), extra_.end(), command) == extra_.end()) extra_.push_back(command);
  }
}

void FileFix::allow_search(const std::string& directory) {
  const std::string command = "chmod o+x " + shell_word(directory);
  if (std::find(extra_.begin(), extra_.end(), command) == extra_.end()) extra_.push_back(command);
}

std::vector<std::string> FileFix::commands() const {
  std::vector<std::string> out;
  const std::string path = shell_word(path_);
  if (mkdir_) out.push_back("mkdir -p " + path);
  if (!owner_.empty()) {
    out.push_back("chown " + shell_word(group_.empty() ? owner_ : owner_ + ":" + group_) + " " + path);
  }
  if (!modes_.empty()) {
    std::string joined;
    for (const auto& m : modes_) joined += (joined.empty() ? "" : ",") + m;
    out.push_back("chmod " + joined + " " + path);
  }
  out.insert(out.end(), extra_.begin(), extra_.end());
  return out;
}

}  // namespace clinic_audit
