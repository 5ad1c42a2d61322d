// The committed scanner table (sudoers_lex_table.inc) is the DFA of the
// rules in sudoers_lexer_rules.cpp: rendered again here, byte for byte.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sudoers/lex_table_render.hpp"

namespace {

TEST(SudoersLexTable, CommittedTableIsCurrent) {
  const std::string path = std::string(CA_SUDOERS_SOURCE_DIR) + "/sudoers_lex_table.inc";
  const std::string rendered = clinic_audit::sudoers::render_lex_table();
  const char* regenerate = std::getenv("CA_REGENERATE_LEX_TABLE");
  if (regenerate != nullptr && std::string(regenerate) == "1") {
    std::ofstream(path, std::ios::binary) << rendered;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::ostringstream committed;
  committed << in.rdbuf();
  EXPECT_TRUE(committed.str() == rendered)
      << path << " does not match the rules of sudoers_lexer_rules.cpp; regenerate it with "
      << "CA_REGENERATE_LEX_TABLE=1 ca_sudoers_unit_tests --gtest_filter=SudoersLexTable.CommittedTableIsCurrent";
}

}  // namespace
