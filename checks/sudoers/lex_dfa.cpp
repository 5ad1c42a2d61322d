#include "lex_dfa.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace clinic_audit::sudoers {
namespace {

// The POSIX classes toke.l uses, in the C locale.
std::bitset<256> named_class(std::string_view name) {
  std::bitset<256> set;
  for (int c = 0; c < 256; ++c) {
    bool in = false;
    if (name == "blank") in = c == ' ' || c == '\t';
    else if (name == "space") in = c == ' ' || (c >= '\t' && c <= '\r');
    else if (name == "alnum") in = std::isalnum(c) != 0 && c < 128;
    else if (name == "upper") in = c >= 'A' && c <= 'Z';
    else if (name == "digit") in = c >= '0' && c <= '9';
    else if (name == "xdigit") in = std::isxdigit(c) != 0 && c < 128;
    else throw std::logic_error("unknown character class " + std::string(name));
    if (in) set.set(static_cast<std::size_t>(c));
  }
  return set;
}

unsigned char escaped(char c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    default: return static_cast<unsigned char>(c);
  }
}

}  // namespace

LexDfa::LexDfa(const std::map<std::string, std::string>& definitions, const std::vector<Rule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string pattern = expand(rules[i].pattern, definitions, 0);
    std::size_t pos = 0;
    Fragment fragment = parse_alternation(pattern, pos);
    if (pos != pattern.size()) throw std::logic_error("bad lexer pattern: " + rules[i].pattern);
    nfa_[static_cast<std::size_t>(fragment.end)].accept_rule = static_cast<int>(i);
    rule_starts_.push_back(fragment.start);
    rule_bol_.push_back(rules[i].bol_only);
  }
}

std::string LexDfa::expand(std::string_view pattern, const std::map<std::string, std::string>& definitions,
                           int depth) const {
  if (depth > 8) throw std::logic_error("lexer definitions nest too deeply");
  std::string out;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      if (c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
        const std::size_t end = pattern.find(":]", i);
        out += pattern.substr(i, end + 2 - i);
        i = end + 1;
        continue;
      }
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
      continue;
    }
    if (c == '{' && i + 1 < pattern.size() && std::isalpha(static_cast<unsigned char>(pattern[i + 1])) != 0) {
      const std::size_t end = pattern.find('}', i);
      const std::string name(pattern.substr(i + 1, end - i - 1));
      out += "(" + expand(definitions.at(name), definitions, depth + 1) + ")";
      i = end;
      continue;
    }
    out += c;
  }
  return out;
}

int LexDfa::new_state() {
  nfa_.emplace_back();
  return static_cast<int>(nfa_.size() - 1);
}

LexDfa::Fragment LexDfa::char_fragment(const std::bitset<256>& set) {
  const int start = new_state();
  const int end = new_state();
  classes_.push_back(set);
  nfa_[static_cast<std::size_t>(start)].char_class = static_cast<int>(classes_.size() - 1);
  nfa_[static_cast<std::size_t>(start)].next = end;
  return {start, end};
}

LexDfa::Fragment LexDfa::parse_alternation(std::string_view pattern, std::size_t& pos) {
  Fragment first = parse_concatenation(pattern, pos);
  if (pos >= pattern.size() || pattern[pos] != '|') return first;
  const int start = new_state();
  const int end = new_state();
  nfa_[static_cast<std::size_t>(start)].epsilon.push_back(first.start);
  nfa_[static_cast<std::size_t>(first.end)].epsilon.push_back(end);
  while (pos < pattern.size() && pattern[pos] == '|') {
    ++pos;
    Fragment next = parse_concatenation(pattern, pos);
    nfa_[static_cast<std::size_t>(start)].epsilon.push_back(next.start);
    nfa_[static_cast<std::size_t>(next.end)].epsilon.push_back(end);
  }
  return {start, end};
}

LexDfa::Fragment LexDfa::parse_concatenation(std::string_view pattern, std::size_t& pos) {
  const int start = new_state();
  int end = start;
  while (pos < pattern.size() && pattern[pos] != '|' && pattern[pos] != ')') {
    Fragment next = parse_repetition(pattern, pos);
    nfa_[static_cast<std::size_t>(end)].epsilon.push_back(next.start);
    end = next.end;
  }
  return {start, end};
}

// Copies the states of a fragment (for {m,n}): fragments are built from
// consecutive states, so a copy is an index shift.
LexDfa::Fragment LexDfa::copy_fragment(const Fragment& fragment, int first, int last) {
  const int shift = static_cast<int>(nfa_.size()) - first;
  for (int i = first; i <= last; ++i) {
    NfaState copy = nfa_[static_cast<std::size_t>(i)];
    for (int& e : copy.epsilon) e += shift;
    if (copy.next >= 0) copy.next += shift;
    nfa_.push_back(std::move(copy));
  }
  return {fragment.start + shift, fragment.end + shift};
}

LexDfa::Fragment LexDfa::parse_repetition(std::string_view pattern, std::size_t& pos) {
  const int first_state = static_cast<int>(nfa_.size());
  Fragment atom = parse_atom(pattern, pos);
  while (pos < pattern.size()) {
    const char op = pattern[pos];
    if (op == '*' || op == '+' || op == '?') {
      ++pos;
      const int start = new_state();
      const int end = new_state();
      nfa_[static_cast<std::size_t>(start)].epsilon.push_back(atom.start);
      nfa_[static_cast<std::size_t>(atom.end)].epsilon.push_back(end);
      if (op != '+') nfa_[static_cast<std::size_t>(start)].epsilon.push_back(end);
      if (op != '?') nfa_[static_cast<std::size_t>(atom.end)].epsilon.push_back(atom.start);
      atom = {start, end};
    } else if (op == '{' && pos + 1 < pattern.size() &&
               std::isdigit(static_cast<unsigned char>(pattern[pos + 1])) != 0) {
      const std::size_t close = pattern.find('}', pos);
      const std::string spec(pattern.substr(pos + 1, close - pos - 1));
      pos = close + 1;
      const std::size_t comma = spec.find(',');
      const int low = std::stoi(spec.substr(0, comma));
      const int high = comma == std::string::npos ? low : std::stoi(spec.substr(comma + 1));
      // atom repeated `low` times, then (high - low) optional copies.
      const int last_state = static_cast<int>(nfa_.size()) - 1;
      std::vector<Fragment> copies{atom};
      for (int i = 1; i < high; ++i) copies.push_back(copy_fragment(atom, first_state, last_state));
      const int start = new_state();
      const int end = new_state();
      int cursor = start;
      for (int i = 0; i < high; ++i) {
        nfa_[static_cast<std::size_t>(cursor)].epsilon.push_back(copies[static_cast<std::size_t>(i)].start);
        if (i >= low) nfa_[static_cast<std::size_t>(cursor)].epsilon.push_back(end);
        cursor = copies[static_cast<std::size_t>(i)].end;
      }
      nfa_[static_cast<std::size_t>(cursor)].epsilon.push_back(end);
      atom = {start, end};
    } else {
      break;
    }
  }
  return atom;
}

std::bitset<256> LexDfa::parse_class(std::string_view pattern, std::size_t& pos) {
  std::bitset<256> set;
  bool negate = false;
  if (pos < pattern.size() && pattern[pos] == '^') {
    negate = true;
    ++pos;
  }
  bool first = true;
  while (pos < pattern.size() && (pattern[pos] != ']' || first)) {
    first = false;
    if (pattern.substr(pos, 2) == "[:") {
      const std::size_t end = pattern.find(":]", pos);
      set |= named_class(pattern.substr(pos + 2, end - pos - 2));
      pos = end + 2;
      continue;
    }
    unsigned char low = static_cast<unsigned char>(pattern[pos]);
    if (low == '\\') low = escaped(pattern[++pos]);
    ++pos;
    unsigned char high = low;
    if (pos + 1 < pattern.size() && pattern[pos] == '-' && pattern[pos + 1] != ']') {
      high = static_cast<unsigned char>(pattern[pos + 1]);
      if (high == '\\') high = escaped(pattern[pos + 2]), ++pos;
      pos += 2;
    }
    for (unsigned c = low; c <= high; ++c) set.set(c);
  }
  ++pos;  // ']'
  if (negate) set.flip();
  return set;
}

LexDfa::Fragment LexDfa::parse_atom(std::string_view pattern, std::size_t& pos) {
  const char c = pattern[pos++];
  if (c == '(') {
    Fragment inner = parse_alternation(pattern, pos);
    ++pos;  // ')'
    return inner;
  }
  if (c == '[') return char_fragment(parse_class(pattern, pos));
  std::bitset<256> set;
  if (c == '.') {
    set.set();
    set.reset('\n');
  } else if (c == '\\') {
    set.set(escaped(pattern[pos++]));
  } else {
    set.set(static_cast<unsigned char>(c));
  }
  return char_fragment(set);
}

void LexDfa::closure(std::vector<int>& states) const {
  std::vector<bool> seen(nfa_.size(), false);
  std::vector<int> stack = states;
  states.clear();
  while (!stack.empty()) {
    const int s = stack.back();
    stack.pop_back();
    if (seen[static_cast<std::size_t>(s)]) continue;
    seen[static_cast<std::size_t>(s)] = true;
    states.push_back(s);
    for (int e : nfa_[static_cast<std::size_t>(s)].epsilon) stack.push_back(e);
  }
  std::sort(states.begin(), states.end());
}

int LexDfa::dfa_state(std::vector<int> states) {
  closure(states);
  if (states.empty()) return -1;
  auto found = dfa_index_.find(states);
  if (found != dfa_index_.end()) return found->second;
  DfaState state;
  int accept = -1;
  for (int s : states) {
    const int rule = nfa_[static_cast<std::size_t>(s)].accept_rule;
    if (rule >= 0 && (accept < 0 || rule < accept)) accept = rule;
  }
  state.nfa_states = states;
  dfa_.push_back(std::move(state));
  accept_.push_back(accept);
  table_.resize(table_.size() + 256, -2);
  const int index = static_cast<int>(dfa_.size() - 1);
  dfa_index_.emplace(std::move(states), index);
  return index;
}

int LexDfa::start_state(bool at_bol, const std::vector<bool>& active) {
  auto key = std::make_pair(active, at_bol);
  auto found = start_index_.find(key);
  if (found != start_index_.end()) return found->second;
  std::vector<int> starts;
  for (std::size_t i = 0; i < rule_starts_.size(); ++i) {
    if (i < active.size() && active[i] && (at_bol || !rule_bol_[i])) starts.push_back(rule_starts_[i]);
  }
  const int state = dfa_state(std::move(starts));
  start_index_.emplace(std::move(key), state);
  return state;
}

LexDfa::Match LexDfa::match(std::string_view text, std::size_t pos, int start) {
  Match best;
  int state = start;
  std::size_t i = pos;
  while (state >= 0) {
    const auto index = static_cast<std::size_t>(state);
    const int accept = accept_[index];
    if (accept >= 0 && i > pos) best = {accept, i - pos};
    if (i >= text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    state = transition(index, c);
    ++i;
  }
  return best;
}

int LexDfa::transition(std::size_t index, unsigned char c) {
  int next = table_[index * 256 + c];
  if (next == -2) {
    std::vector<int> targets;
    for (int s : dfa_[index].nfa_states) {
      const NfaState& n = nfa_[static_cast<std::size_t>(s)];
      if (n.char_class >= 0 && classes_[static_cast<std::size_t>(n.char_class)].test(c)) targets.push_back(n.next);
    }
    next = dfa_state(std::move(targets));
    table_[index * 256 + c] = next;
  }
  return next;
}

LexDfa::Complete LexDfa::complete() {
  Complete out;
  // Bytes that every character set of the NFA treats alike share a class.
  std::map<std::vector<bool>, int> signatures;
  for (int c = 0; c < 256; ++c) {
    std::vector<bool> signature(classes_.size());
    for (std::size_t k = 0; k < classes_.size(); ++k) signature[k] = classes_[k].test(static_cast<std::size_t>(c));
    const auto [it, added] = signatures.emplace(std::move(signature), out.classes);
    if (added) ++out.classes;
    out.byte_class[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(it->second);
  }
  std::vector<unsigned char> representative(static_cast<std::size_t>(out.classes));
  for (int c = 255; c >= 0; --c)
    representative[out.byte_class[static_cast<std::size_t>(c)]] = static_cast<unsigned char>(c);
  // Every state reachable from those built so far (the start states).
  for (std::size_t state = 0; state < dfa_.size(); ++state) {
    for (unsigned char c : representative) (void)transition(state, c);
  }
  out.accept = accept_;
  out.next.reserve(dfa_.size() * representative.size());
  for (std::size_t state = 0; state < dfa_.size(); ++state) {
    for (unsigned char c : representative) out.next.push_back(std::max(table_[state * 256 + c], -1));
  }
  return out;
}

}  // namespace clinic_audit::sudoers
