#include "lex_table_render.hpp"

#include <string>
#include <vector>

#include "lex_dfa.hpp"
#include "sudoers_lexer_rules.hpp"

namespace clinic_audit::sudoers {
namespace {

using namespace lexer_rules;

template <typename Values>
void render_array(std::string& out, const char* type, const char* name, const Values& values) {
  out += std::string("inline constexpr ") + type + " " + name + "[" + std::to_string(values.size()) + "] = {";
  std::size_t column = 80;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string item = std::to_string(values[i]) + (i + 1 < values.size() ? "," : "");
    if (column + item.size() + 1 > 100) {
      out += "\n   ";
      column = 3;
    }
    out += " " + item;
    column += item.size() + 1;
  }
  out += "};\n";
}

}  // namespace

std::string render_lex_table() {
  std::vector<LexDfa::Rule> patterns;
  for (const auto& rule : rules()) patterns.push_back({rule.pattern, rule.bol});
  LexDfa dfa(definitions(), patterns);
  std::vector<int> starts;
  std::vector<int> starts_at_bol;
  for (int s = 0; s < kStates; ++s) {
    std::vector<bool> on;
    for (const auto& rule : rules()) on.push_back((rule.states & (1u << s)) != 0);
    starts.push_back(dfa.start_state(false, on));
    starts_at_bol.push_back(dfa.start_state(true, on));
  }
  const LexDfa::Complete table = dfa.complete();
  std::string out =
      "// Generated from sudoers_lexer_rules.cpp by render_lex_table() (lex_table_render.cpp): do not edit.\n"
      "// Regenerate: CA_REGENERATE_LEX_TABLE=1 ca_sudoers_unit_tests "
      "--gtest_filter=SudoersLexTable.CommittedTableIsCurrent\n"
      "// NOLINTBEGIN\n"
      "// clang-format off\n"
      "namespace lex_table {\n";
  out += "inline constexpr int kDfaStates = " + std::to_string(table.accept.size()) + ";\n";
  out += "inline constexpr int kClasses = " + std::to_string(table.classes) + ";\n";
  render_array(out, "std::uint8_t", "kByteClass", table.byte_class);
  render_array(out, "std::int16_t", "kStart", starts);
  render_array(out, "std::int16_t", "kStartAtBol", starts_at_bol);
  render_array(out, "std::int16_t", "kAccept", table.accept);
  render_array(out, "std::int16_t", "kNext", table.next);
  out += "}  // namespace lex_table\n"
         "// clang-format on\n"
         "// NOLINTEND\n";
  return out;
}

}  // namespace clinic_audit::sudoers
