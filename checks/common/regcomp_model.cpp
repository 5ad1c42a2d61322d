// Over 400 lines: glibc's regcomp() pipeline (posix/regcomp.c: parse_*,
// parse_dup_op, lower_subexps, calc_first, calc_next, link_nfa_nodes,
// duplicate_node_closure, calc_eclosure_iter) in one place, as glibc has it,
// so that each step can be checked against the original.
#include "regcomp_model.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace clinic_audit {
namespace {

// Context bits of an anchor (posix/regex_internal.h: PREV_WORD_CONSTRAINT...)
constexpr unsigned kPrevWord = 0x01, kPrevNotWord = 0x02, kNextWord = 0x04, kNextNotWord = 0x08;
constexpr unsigned kPrevNewline = 0x10, kNextNewline = 0x20, kPrevBegbuf = 0x40, kNextEndbuf = 0x80;

// Deeper nesting of '(' is refused rather than followed (the parser
// recurses per level, as glibc's does).
constexpr int kMaxNesting = 1000;

enum class Kind : std::uint8_t { leaf, concat, alt, star, subexp, open, close, anchor, backref, end };

struct Tree {
  Kind kind;
  int left = -1;
  int right = -1;
  unsigned ctx = 0;  // anchors
  int first = -1;    // calc_first
  int next = -1;     // calc_next (a tree node, never a CONCAT)
  int idx = -1;      // NFA node
};

struct Nfa {
  Kind kind = Kind::leaf;
  unsigned ctx = 0;
  unsigned constraint = 0;
  bool duplicated = false;
  int org = -1;
  int next = -1;
  std::vector<int> edests;  // sorted, at most 2
  enum class Closure : std::uint8_t { none, busy, done } state = Closure::none;
  std::vector<int> eclosure;
};

bool is_epsilon(Kind k) {
  return k == Kind::alt || k == Kind::star || k == Kind::anchor || k == Kind::open || k == Kind::close;
}

void insert_sorted(std::vector<int>& set, int v) {
  const auto it = std::lower_bound(set.begin(), set.end(), v);
  if (it == set.end() || *it != v) set.insert(it, v);
}

class Model {
 public:
  Model(std::string_view p, std::size_t max_nodes, std::size_t max_steps)
      : p_(p), max_nodes_(max_nodes), max_steps_(max_steps) {}

  RegcompWork run() {
    const int tree = parse_reg_exp(0);  // at the top a ')' is ordinary (RE_UNMATCHED_RIGHT_PAREN_ORD)
    if (over_) return {nfa_.size(), steps_, true};
    const int root = concat(tree, leaf(Kind::end));
    lower_subexps(root);
    number(root);
    if (!over_) link(root);
    if (!over_) closures();
    return {nfa_.size(), steps_, over_};
  }

 private:
  // ----- parse (parse_reg_exp, parse_branch, parse_expression, parse_dup_op)
  char peek() const { return pos_ < p_.size() ? p_[pos_] : 0; }
  bool at_end() const { return pos_ >= p_.size(); }

  int node(Kind k, int l = -1, int r = -1, unsigned ctx = 0) {
    if (trees_.size() > 4 * max_nodes_ + 64) {
      over_ = true;
      return -1;
    }
    trees_.push_back(Tree{k, l, r, ctx});
    return static_cast<int>(trees_.size()) - 1;
  }
  int leaf(Kind k, unsigned ctx = 0) { return node(k, -1, -1, ctx); }
  int concat(int a, int b) {
    if (a < 0) return b;
    if (b < 0) return a;
    return node(Kind::concat, a, b);
  }

  bool ends_branch(int nest) const { return at_end() || peek() == '|' || (nest > 0 && peek() == ')'); }

  int parse_reg_exp(int nest) {
    int tree = parse_branch(nest);
    while (!over_ && peek() == '|') {
      ++pos_;
      const int branch = ends_branch(nest) ? -1 : parse_branch(nest);
      tree = node(Kind::alt, tree, branch);
    }
    return tree;
  }

  int parse_branch(int nest) {
    int tree = -1;
    while (!over_ && !ends_branch(nest)) tree = concat(tree, parse_expression(nest));
    return tree;
  }

  int parse_expression(int nest) {
    const char c = p_[pos_++];
    int tree = -1;
    switch (c) {
      case '(':
        if (nest >= kMaxNesting) {
          over_ = true;
          return -1;
        }
        if (peek() == ')') {
          ++pos_;
          tree = node(Kind::subexp);
        } else {
          const int body = parse_reg_exp(nest + 1);
          if (peek() == ')') ++pos_;  // else glibc: REG_EPAREN (read on)
          tree = node(Kind::subexp, body);
        }
        break;
      case '^': return leaf(Kind::anchor, kPrevNewline);  // anchors take no repetition
      case '$': return leaf(Kind::anchor, kNextNewline);
      case '[':
        skip_bracket();
        tree = leaf(Kind::leaf);
        break;
      case '\\': {
        const char e = at_end() ? 0 : p_[pos_++];
        if (e >= '1' && e <= '9') {
          tree = leaf(Kind::backref);
        } else if (e == '<') {
          return leaf(Kind::anchor, kPrevNotWord | kNextWord);
        } else if (e == '>') {
          return leaf(Kind::anchor, kPrevWord | kNextNotWord);
        } else if (e == '`') {
          return leaf(Kind::anchor, kPrevBegbuf);
        } else if (e == '\'') {
          return leaf(Kind::anchor, kNextEndbuf);
        } else if (e == 'b' || e == 'B') {  // two anchors under an ALT
          const unsigned a = e == 'b' ? (kPrevNotWord | kNextWord) : (kPrevWord | kNextWord);
          const unsigned b = e == 'b' ? (kPrevWord | kNextNotWord) : (kPrevNotWord | kNextNotWord);
          return node(Kind::alt, leaf(Kind::anchor, a), leaf(Kind::anchor, b));
        } else {
          tree = leaf(Kind::leaf);
        }
        break;
      }
      default: tree = leaf(Kind::leaf); break;  // also a leading '*' or '{' (glibc: REG_BADRPT)
    }
    while (!over_) {
      const char q = peek();
      if (q == '*' || q == '+' || q == '?') {
        ++pos_;
        tree = repeat(tree, q == '+' ? 1 : 0, q == '?' ? 1 : -1);
      } else if (q == '{') {
        long low = 0;
        long high = 0;
        if (!interval(low, high)) break;  // glibc: REG_BADBR; read on as an ordinary '{'
        tree = repeat(tree, low, high);
      } else {
        break;
      }
    }
    return tree;
  }

  void skip_bracket() {
    pos_ = regex_bracket_end(p_, pos_ - 1);
    if (!at_end()) ++pos_;
  }

  // "{m}", "{m,}", "{,n}", "{m,n}" at pos_ (fetch_number); false, pos_
  // unchanged, when it is not a valid interval.
  bool interval(long& low, long& high) {
    constexpr long kDupMax = 0x7fff;  // RE_DUP_MAX
    std::size_t j = pos_ + 1;
    auto number = [&](long& out) {
      bool digits = false;
      out = 0;
      while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9') {
        out = std::min(out * 10 + (p_[j] - '0'), kDupMax + 1);
        ++j;
        digits = true;
      }
      return digits;
    };
    const bool has_low = number(low);
    if (!has_low) low = 0;
    if (j < p_.size() && p_[j] == '}') {
      if (!has_low) return false;
      high = low;
    } else if (j < p_.size() && p_[j] == ',') {
      ++j;
      if (!number(high)) high = -1;
      if (j >= p_.size() || p_[j] != '}') return false;
    } else {
      return false;
    }
    if ((high != -1 && low > high) || std::max(low, high) > kDupMax) return false;
    pos_ = j + 1;
    return true;
  }

  // duplicate_tree, without recursion: the nodes in preorder, then their
  // children through the old-to-new map.
  int duplicate(int t) {
    if (t < 0 || over_) return -1;
    std::vector<int> order;
    for (std::vector<int> stack{t}; !stack.empty();) {
      const int s = stack.back();
      stack.pop_back();
      order.push_back(s);
      if (tree(s).right >= 0) stack.push_back(tree(s).right);
      if (tree(s).left >= 0) stack.push_back(tree(s).left);
    }
    std::unordered_map<int, int> copy_of;
    for (const int s : order) {
      const int c = leaf(tree(s).kind, tree(s).ctx);
      if (c < 0) return -1;
      copy_of[s] = c;
    }
    for (const int s : order) {
      const Tree& from = tree(s);
      Tree& to = tree(copy_of[s]);
      to.left = from.left >= 0 ? copy_of[from.left] : -1;
      to.right = from.right >= 0 ? copy_of[from.right] : -1;
    }
    return copy_of[t];
  }

  // parse_dup_op: "<re>{n,m}" becomes "<re><re>...<re>{0,m-n}".
  int repeat(int elem, long start, long end) {
    if (elem < 0) return -1;
    if (start == 0 && end == 0) return -1;
    int old_tree = -1;
    if (start > 0) {
      int tree = elem;
      for (long i = 2; i <= start && !over_; ++i) tree = concat(tree, elem = duplicate(elem));
      if (start == end || over_) return tree;
      elem = duplicate(elem);
      old_tree = tree;
    }
    int tree = node(end == -1 ? Kind::star : Kind::alt, elem);
    for (long i = start + 2; i <= end && !over_; ++i) {
      elem = duplicate(elem);
      tree = node(Kind::alt, concat(tree, elem));
    }
    return concat(old_tree, tree);
  }

  // ----- analyze: lower_subexps (sub-expressions kept, as without
  // REG_NOSUB), calc_first, calc_next, link_nfa_nodes
  int lower(int t) {
    if (t < 0 || tree(t).kind != Kind::subexp) return t;
    int body = tree(t).left;
    while (body >= 0 && tree(body).kind == Kind::subexp) body = tree(body).left;  // optimize_subexps
    const int open = leaf(Kind::open);
    const int close = leaf(Kind::close);
    return concat(open, body >= 0 ? concat(body, close) : close);
  }

  // Trees are deep ("a" x 20,000 is a left comb): every walk is iterative.
  void lower_subexps(int root) {
    std::vector<int> stack{root};
    while (!stack.empty() && !over_) {
      const int t = stack.back();
      stack.pop_back();
      const int left = lower(tree(t).left);  // may grow trees_: no reference held across it
      const int right = lower(tree(t).right);
      tree(t).left = left;
      tree(t).right = right;
      if (tree(t).left >= 0) stack.push_back(tree(t).left);
      if (tree(t).right >= 0) stack.push_back(tree(t).right);
    }
  }

  // calc_first in postorder: NFA nodes numbered left subtree, right
  // subtree, then the node; a CONCAT is its left child's first.
  void number(int root) {
    std::vector<std::pair<int, bool>> stack{{root, false}};
    while (!stack.empty() && !over_) {
      auto [t, children_done] = stack.back();
      stack.pop_back();
      Tree& n = tree(t);
      if (!children_done) {
        stack.emplace_back(t, true);
        if (n.right >= 0) stack.emplace_back(n.right, false);
        if (n.left >= 0) stack.emplace_back(n.left, false);
        continue;
      }
      if (n.kind == Kind::concat) {
        n.first = tree(n.left).first;
        n.idx = tree(n.left).idx;
      } else {
        n.first = t;
        n.idx = add_nfa(n.kind, n.ctx);
        nfa(n.idx).constraint = n.kind == Kind::anchor ? n.ctx : 0;
      }
    }
  }

  Tree& tree(int i) { return trees_[static_cast<std::size_t>(i)]; }
  const Tree& tree(int i) const { return trees_[static_cast<std::size_t>(i)]; }
  Nfa& nfa(int i) { return nfa_[static_cast<std::size_t>(i)]; }
  const Nfa& nfa(int i) const { return nfa_[static_cast<std::size_t>(i)]; }

  int add_nfa(Kind k, unsigned ctx) {
    if (nfa_.size() >= max_nodes_) over_ = true;
    Nfa n;
    n.kind = k;
    n.ctx = ctx;
    nfa_.push_back(std::move(n));
    return static_cast<int>(nfa_.size()) - 1;
  }

  int next_idx(int t) const { return t < 0 ? -1 : tree(t).idx; }
  int first_idx(int t) const { return tree(tree(t).first).idx; }

  void link(int root) {
    std::vector<int> stack{root};  // calc_next, preorder
    while (!stack.empty()) {
      const int t = stack.back();
      stack.pop_back();
      Tree& n = tree(t);
      if (n.kind == Kind::star) {
        tree(n.left).next = t;
      } else if (n.kind == Kind::concat) {
        tree(n.left).next = tree(n.right).first;
        tree(n.right).next = n.next;
      } else {
        if (n.left >= 0) tree(n.left).next = n.next;
        if (n.right >= 0) tree(n.right).next = n.next;
      }
      if (n.right >= 0) stack.push_back(n.right);
      if (n.left >= 0) stack.push_back(n.left);
    }
    for (const Tree& n : trees_) {  // link_nfa_nodes
      if (n.idx < 0 || n.kind == Kind::concat || n.first < 0) continue;
      Nfa& a = nfa(n.idx);
      switch (n.kind) {
        case Kind::star:
        case Kind::alt:
          insert_sorted(a.edests, n.left >= 0 ? first_idx(n.left) : next_idx(n.next));
          insert_sorted(a.edests, n.right >= 0 ? first_idx(n.right) : next_idx(n.next));
          break;
        case Kind::anchor:
        case Kind::open:
        case Kind::close: a.edests = {next_idx(n.next)}; break;
        case Kind::backref:
          a.next = next_idx(n.next);
          a.edests = {a.next};
          break;
        case Kind::end: break;
        default: a.next = next_idx(n.next); break;
      }
    }
  }

  // ----- calc_eclosure, with duplicate_node_closure for anchors
  bool charge(std::size_t steps) {
    steps_ += steps;
    if (steps_ > max_steps_) over_ = true;
    return !over_;
  }

  int duplicate_node(int org, unsigned constraint) {
    const int dup = add_nfa(nfa(org).kind, nfa(org).ctx);
    Nfa& d = nfa(dup);
    d.constraint = constraint | (d.kind == Kind::anchor ? d.ctx : 0);
    d.duplicated = true;
    d.org = org;
    return dup;
  }

  int search_duplicated_node(int org, unsigned constraint) {
    for (int i = static_cast<int>(nfa_.size()) - 1; i > 0 && nfa(i).duplicated; --i) {
      if (!charge(1)) return -1;
      if (nfa(i).org == org && nfa(i).constraint == constraint) return i;
    }
    return -1;
  }

  void duplicate_node_closure(int top_org, int top_clone, int root, unsigned init_constraint) {
    struct Pending {
      int org;  // the second destination of a two-way node, done after the first
      int clone;
      unsigned constraint;
    };
    std::vector<Pending> pending;
    int org = top_org;
    int clone = top_clone;
    unsigned constraint = init_constraint;
    while (!over_ && charge(1)) {
      bool chain_ends = false;
      const std::vector<int> dests = nfa(org).edests;
      if (nfa(org).kind == Kind::backref) {
        const int org_dest = nfa(org).next;
        const int clone_dest = duplicate_node(org_dest, constraint);
        nfa(clone).next = nfa(org).next;
        nfa(clone).edests = {clone_dest};
        org = org_dest;
        clone = clone_dest;
      } else if (dests.empty()) {
        nfa(clone).next = nfa(org).next;
        chain_ends = true;
      } else if (dests.size() == 1) {
        nfa(clone).edests.clear();
        if (nfa(org).kind == Kind::anchor) {
          if (org == root && clone != org) {
            nfa(clone).edests = {dests[0]};
            chain_ends = true;
          }
          constraint |= nfa(org).ctx;
        }
        if (!chain_ends) {
          const int clone_dest = duplicate_node(dests[0], constraint);
          nfa(clone).edests = {clone_dest};
          org = dests[0];
          clone = clone_dest;
        }
      } else {
        nfa(clone).edests.clear();
        const int found = search_duplicated_node(dests[0], constraint);
        if (found < 0) {
          const int clone_dest = duplicate_node(dests[0], constraint);
          insert_sorted(nfa(clone).edests, clone_dest);
          pending.push_back({dests[1], clone, constraint});
          org = dests[0];
          clone = clone_dest;
          continue;
        }
        insert_sorted(nfa(clone).edests, found);
        const int second = duplicate_node(dests[1], constraint);
        insert_sorted(nfa(clone).edests, second);
        org = dests[1];
        clone = second;
      }
      if (!chain_ends) continue;
      if (pending.empty()) return;
      const Pending next = pending.back();
      pending.pop_back();
      constraint = next.constraint;
      const int second = duplicate_node(next.org, constraint);
      insert_sorted(nfa(next.clone).edests, second);
      org = next.org;
      clone = second;
    }
  }

  // calc_eclosure_iter, recursion replaced by a stack of frames.
  struct Frame {
    int node = 0;
    bool root = false;
    std::size_t i = 0;
    bool incomplete = false;
    std::vector<int> set;
  };

  // re_node_set_merge: the union of two sorted sets. Written out on raw
  // pointers: the library's set_union goes through vector::push_back, whose
  // out-of-line copy the linker may take from an unoptimised, instrumented
  // object (ten times slower in the Debug and sanitizer builds).
  void merge(std::vector<int>& into, const std::vector<int>& from) {
    if (!charge(into.size() + from.size())) return;
    scratch_.resize(into.size() + from.size());
    const int* a = into.data();
    const int* const a_end = a + into.size();
    const int* b = from.data();
    const int* const b_end = b + from.size();
    int* out = scratch_.data();
    while (a != a_end && b != b_end) {
      if (*a < *b) {
        *out++ = *a++;
      } else if (*b < *a) {
        *out++ = *b++;
      } else {
        *out++ = *a++;
        ++b;
      }
    }
    while (a != a_end) *out++ = *a++;
    while (b != b_end) *out++ = *b++;
    scratch_.resize(static_cast<std::size_t>(out - scratch_.data()));
    into.swap(scratch_);  // no allocation per merge once the capacities suffice
  }

  // Node sets are taken from a pool and given back: glibc allocates one
  // per closure computed, the replay reuses them (under ASan an allocation
  // costs more than the merge it serves).
  std::vector<int> take_set() {
    if (pool_.empty()) return {};
    std::vector<int> set = std::move(pool_.back());
    pool_.pop_back();
    set.clear();
    return set;
  }
  void give_back(std::vector<int>&& set) {
    if (set.capacity() != 0) pool_.push_back(std::move(set));
  }

  void start(int node, bool root) {
    charge(1);
    Nfa& n = nfa(node);
    n.state = Nfa::Closure::busy;
    Frame f;
    f.node = node;
    f.root = root;
    f.set = take_set();
    f.set.push_back(node);
    frames_.push_back(std::move(f));
    if (n.constraint != 0 && !n.edests.empty() && !nfa(n.edests[0]).duplicated) {
      duplicate_node_closure(node, node, node, n.constraint);
    }
  }

  void closures() {
    for (std::size_t root = 0; root < nfa_.size() && !over_; ++root) {
      if (nfa_[root].state != Nfa::Closure::none) continue;
      frames_.clear();
      start(static_cast<int>(root), true);
      std::vector<int> incomplete;  // the closure a popped frame returned unstored
      int finished_node = -1;       // that frame's node
      while (!frames_.empty() && !over_) {
        Frame& f = frames_.back();
        if (finished_node >= 0) {  // back from a child
          const Nfa& child = nfa(finished_node);
          if (child.state == Nfa::Closure::none) {
            merge(f.set, incomplete);
            give_back(std::exchange(incomplete, {}));
            f.incomplete = true;
          } else {
            merge(f.set, child.eclosure);
          }
          finished_node = -1;
          ++f.i;
          continue;
        }
        const Nfa& n = nfa(f.node);
        if (is_epsilon(n.kind) && f.i < n.edests.size()) {
          const int dest = n.edests[f.i];
          const Nfa& d = nfa(dest);
          if (d.state == Nfa::Closure::busy) {
            f.incomplete = true;
            ++f.i;
          } else if (d.state == Nfa::Closure::none) {
            start(dest, false);
          } else {
            merge(f.set, d.eclosure);
            ++f.i;
          }
          continue;
        }
        Nfa& done = nfa(f.node);
        finished_node = f.node;
        if (f.incomplete && !f.root) {
          done.state = Nfa::Closure::none;
          incomplete = std::move(f.set);
        } else {
          done.state = Nfa::Closure::done;
          done.eclosure = std::move(f.set);
        }
        frames_.pop_back();
      }
    }
  }

  std::string_view p_;
  std::size_t pos_ = 0;
  std::size_t max_nodes_;
  std::size_t max_steps_;
  std::size_t steps_ = 0;
  bool over_ = false;
  std::vector<Tree> trees_;
  std::vector<Nfa> nfa_;
  std::vector<int> scratch_;
  std::vector<std::vector<int>> pool_;
  std::vector<Frame> frames_;
};

}  // namespace

std::size_t regex_bracket_end(std::string_view p, std::size_t i) {
  std::size_t j = i + 1;
  if (j < p.size() && p[j] == '^') ++j;
  if (j < p.size() && p[j] == ']') ++j;
  while (j < p.size() && p[j] != ']') {
    if (p[j] == '[' && j + 1 < p.size() && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
      const char closing[] = {p[j + 1], ']'};  // ":]", ".]" or "=]"
      const std::size_t end = p.find(std::string_view(closing, 2), j + 2);
      j = end == std::string_view::npos ? p.size() : end + 2;
    } else {
      ++j;
    }
  }
  return j;
}

RegcompWork replay_regcomp(std::string_view extended_pattern, std::size_t max_nodes, std::size_t max_steps) {
  return Model(extended_pattern, max_nodes, max_steps).run();
}

}  // namespace clinic_audit
