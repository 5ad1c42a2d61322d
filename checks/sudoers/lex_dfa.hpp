// A small flex: rules written in flex's pattern syntax, matched the way
// flex(1) matches them (longest match, earliest rule on a tie, `^` rules
// only at the beginning of a line). It lets sudoers_lexer.cpp transcribe the
// rules of sudo's own scanner (plugins/sudoers/toke.l) instead of
// re-inventing them. Patterns are compiled to an NFA and determinised lazily,
// so matching is linear in the input.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::sudoers {

class LexDfa {
 public:
  struct Rule {
    std::string pattern;    // flex syntax, {NAME} definitions already known
    bool bol_only = false;  // the rule started with '^'
  };

  // `definitions` maps NAME to pattern for {NAME} references.
  LexDfa(const std::map<std::string, std::string>& definitions, const std::vector<Rule>& rules);

  struct Match {
    int rule = -1;  // index into the rules, -1 when nothing matches
    std::size_t length = 0;
  };
  // The start state for the `active` rules (a bit per rule), at the
  // beginning of a line or not; compute once and pass to match().
  int start_state(bool at_bol, const std::vector<bool>& active);
  // DFA states built so far (they are built on demand).
  std::size_t states() const { return dfa_.size(); }
  // Longest match at `pos` from a start state.
  Match match(std::string_view text, std::size_t pos, int start);

  // The whole DFA reachable from the start states computed so far, with
  // bytes grouped in classes no pattern tells apart (flex's equivalence
  // classes): what sudoers_lex_table.inc holds, built once from the rules
  // instead of at every run (lex_table_render.hpp).
  struct Complete {
    std::array<std::uint8_t, 256> byte_class{};
    int classes = 0;
    std::vector<int> next;    // state * classes + class -> next state, -1 dead
    std::vector<int> accept;  // per state: the rule it accepts, or -1
  };
  Complete complete();

 private:
  struct NfaState {
    std::vector<int> epsilon;
    int next = -1;        // target of the character edge
    int char_class = -1;  // index into classes_
    int accept_rule = -1;
  };
  struct Fragment {
    int start;
    int end;  // a state with no edges yet
  };
  int new_state();
  Fragment parse_alternation(std::string_view pattern, std::size_t& pos);
  Fragment parse_concatenation(std::string_view pattern, std::size_t& pos);
  Fragment parse_repetition(std::string_view pattern, std::size_t& pos);
  Fragment parse_atom(std::string_view pattern, std::size_t& pos);
  Fragment copy_fragment(const Fragment& fragment, int first, int last);
  Fragment char_fragment(const std::bitset<256>& set);
  std::bitset<256> parse_class(std::string_view pattern, std::size_t& pos);
  std::string expand(std::string_view pattern, const std::map<std::string, std::string>& definitions, int depth) const;

  void closure(std::vector<int>& states) const;
  int transition(std::size_t state, unsigned char c);
  int dfa_state(std::vector<int> states);

  std::vector<NfaState> nfa_;
  std::vector<std::bitset<256>> classes_;
  std::vector<int> rule_starts_;
  std::vector<bool> rule_bol_;

  struct DfaState {
    std::vector<int> nfa_states;
  };
  std::vector<DfaState> dfa_;
  std::vector<int> accept_;  // per DFA state: the rule it accepts, or -1
  std::vector<int> table_;   // DFA state * 256 + byte -> next state; -2 unknown, -1 dead
  std::map<std::vector<int>, int> dfa_index_;
  std::map<std::pair<std::vector<bool>, bool>, int> start_index_;
};

}  // namespace clinic_audit::sudoers
