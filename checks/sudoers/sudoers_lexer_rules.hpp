// The rules of sudo's scanner (plugins/sudoers/toke.l, sudo 1.9.13): its
// start conditions, its patterns in flex syntax and what each rule does.
// Internal to sudoers_lexer.cpp; kept apart so that the table reads like toke.l.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sudoers_lexer.hpp"

namespace clinic_audit::sudoers::lexer_rules {

// Start conditions of toke.l. INITIAL, GOTDEFS, WANTDIGEST and EXPECTPATH are
// inclusive (%s): rules without a start condition are active in them.
enum State : unsigned {
  INITIAL = 1u << 0,
  GOTDEFS = 1u << 1,
  GOTCMND = 1u << 2,
  GOTREGEX = 1u << 3,
  STARTDEFS = 1u << 4,
  INDEFS = 1u << 5,
  INSTR = 1u << 6,
  WANTDIGEST = 1u << 7,
  GOTINC = 1u << 8,
  EXPECTPATH = 1u << 9,
};
constexpr unsigned kInclusive = INITIAL | GOTDEFS | WANTDIGEST | EXPECTPATH;
constexpr unsigned kAll = 0x3ffu;
constexpr int kStates = 10;

enum class Act {
  defs_comma,
  defs_blank,
  defvar,
  indefs_comma,
  indefs_eq,
  indefs_plus,
  indefs_minus,
  begin_str,
  envar,
  str_cont,
  str_end,
  str_backslash,
  str_body,
  cmnd_qglob,
  cmnd_qspecial,
  cmnd_end,
  cmnd_arg,
  re_quoted,
  re_bad,
  re_end,
  re_body,
  digest_hex,
  digest_b64,
  at_include,
  at_includedir,
  hash_include,
  hash_includedir,
  defaults,
  alias_kw,
  tag,
  empty_group,
  netgroup,
  usergroup,
  net4,
  net6,
  all,
  keyword,
  keyword_path,
  alias,
  defs_cmnd,
  sha,
  sudoedit,
  expect_path,
  path,
  regex,
  word,
  inc_word,
  inc_quote,
  punct,
  bangs,
  newline,
  blanks,
  continuation,
  comment,
  nomatch,
};

struct RuleDef {
  unsigned states;
  const char* pattern;
  Act act;
  Tok tok = Tok::end;
  bool bol = false;
};

// The rules in toke.l order (flex breaks ties by rule order).
const std::vector<RuleDef>& rules();
// toke.l's named definitions ({WORD}, {PATH}, ...).
const std::map<std::string, std::string>& definitions();

}  // namespace clinic_audit::sudoers::lexer_rules
