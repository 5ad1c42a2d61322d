// User, host and Runas lists a tree repeats ("www-data ALL=(root)" on
// 100,000 rules) kept once: a list equal to one of the last few of its sort
// takes that one's storage. Done by the parser as each list is read, so
// that a 100,000-rule file never holds 100,000 copies at once (issue #16
// item 5: the peak, not only what is kept, counts against visudo's), and
// shared by the loader across the files of a tree (issue #20 item 4).
// A few comparisons a list, no index that would itself grow with the tree.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "sudoers_ast.hpp"

namespace clinic_audit::sudoers {

// Equal for sudo: same kind, negation, name and arguments (digests are
// never compared: a list holding one is not shared).
inline bool same_member(const Member& a, const Member& b) {
  return a.kind == b.kind && a.negated == b.negated && a.name == b.name && a.args == b.args && !a.digests.given() &&
         !b.digests.given();
}

class ListSharer {
 public:
  MemberList users(std::vector<Member>&& members) { return list(users_, next_user_, std::move(members)); }
  MemberList hosts(std::vector<Member>&& members) { return list(hosts_, next_host_, std::move(members)); }
  RunasList runas(std::vector<Member>&& members) { return RunasList(list(runas_, next_runas_, std::move(members))); }

 private:
  using Recent = std::array<MemberList, 8>;
  static MemberList list(Recent& seen, std::size_t& next, std::vector<Member>&& members) {
    if (const MemberList* found = find(seen, members)) return *found;
    MemberList made(std::move(members));
    remember(seen, next, made);
    return made;
  }
  static std::span<const Member> members(const MemberList& l) { return l.get(); }

  template <typename List, std::size_t N>
  static const List* find(const std::array<List, N>& seen, const std::vector<Member>& wanted) {
    if (wanted.empty()) return nullptr;
    for (const auto& s : seen) {
      const std::span<const Member> m = members(s);
      if (m.size() == wanted.size() && std::equal(m.begin(), m.end(), wanted.begin(), same_member)) return &s;
    }
    return nullptr;
  }
  template <typename List, std::size_t N>
  static void remember(std::array<List, N>& seen, std::size_t& next, const List& list) {
    if (members(list).empty()) return;
    seen[next] = list;
    next = (next + 1) % N;
  }

  Recent users_, hosts_, runas_;
  std::size_t next_user_ = 0, next_host_ = 0, next_runas_ = 0;
};

}  // namespace clinic_audit::sudoers
