// The scanner's DFA as C++ source: sudoers_lex_table.inc is this text,
// committed, so that no run builds the DFA of toke.l's rules (1.7 M
// instructions and 0.5 MiB per thread when it was built lazily at run time,
// issue #16 item 5). The unit test SudoersLexTable.CommittedTableIsCurrent
// renders it again from sudoers_lexer_rules.cpp and fails on any
// difference (CA_REGENERATE_LEX_TABLE=1 rewrites the file).
#pragma once

#include <string>

namespace clinic_audit::sudoers {

std::string render_lex_table();

}  // namespace clinic_audit::sudoers
