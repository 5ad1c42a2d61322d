#include "sudoers_lexer_rules.hpp"

namespace clinic_audit::sudoers::lexer_rules {

// In toke.l order: flex breaks ties by rule order.
const std::vector<RuleDef>& rules() {
  static const std::vector<RuleDef> table = {
      {GOTDEFS, "[[:blank:]]*,[[:blank:]]*", Act::defs_comma},
      {GOTDEFS, "[[:blank:]]+", Act::defs_blank},
      {STARTDEFS, "{DEFVAR}", Act::defvar},
      {INDEFS, ",", Act::indefs_comma},
      {INDEFS, "=", Act::indefs_eq},
      {INDEFS, "\\+=", Act::indefs_plus},
      {INDEFS, "-=", Act::indefs_minus},
      {INDEFS, "\\\"", Act::begin_str},
      {INDEFS, "{ENVAR}", Act::envar},
      {INSTR, "\\\\[[:blank:]]*\\r?\\n[[:blank:]]*", Act::str_cont},
      {INSTR, "\\\"", Act::str_end},
      {INSTR, "\\\\", Act::str_backslash},
      {INSTR, "([^\\\"\\r\\n\\\\]|\\\\\\\")+", Act::str_body},
      {GOTCMND, "\\\\[\\*\\?\\[\\]\\!^]", Act::cmnd_qglob},
      {GOTCMND, "\\\\[:\\\\,= \\t#]", Act::cmnd_qspecial},
      {GOTCMND, "[#:\\,=\\r\\n]", Act::cmnd_end},
      {GOTCMND, "[^#\\\\:, \\t\\r\\n]+", Act::cmnd_arg},
      {GOTREGEX, "\\\\[^\\r\\n]", Act::re_quoted},
      {GOTREGEX, "[#\\r\\n]", Act::re_bad},
      {GOTREGEX, "\\$", Act::re_end},
      {GOTREGEX, "[^#\\\\\\r\\n$]+", Act::re_body},
      {WANTDIGEST, "[[:xdigit:]]+", Act::digest_hex},
      {WANTDIGEST, "[A-Za-z0-9\\+/=]+", Act::digest_b64},
      {INITIAL, "@include", Act::at_include},
      {INITIAL, "@includedir", Act::at_includedir},
      {INITIAL, "#include[[:blank:]]+.*(\\r\\n|\\n)?", Act::hash_include, Tok::end, true},
      {INITIAL, "#includedir[[:blank:]]+.*(\\r\\n|\\n)?", Act::hash_includedir, Tok::end, true},
      {INITIAL, "[[:blank:]]*Defaults([:@>\\!][[:blank:]]*\\!*\\\"?({ID}|{WORD}))?", Act::defaults, Tok::end, true},
      {INITIAL, "[[:blank:]]*(Host|Cmnd|Cmd|User|Runas)_Alias", Act::alias_kw, Tok::end, true},
      {kInclusive, "NOPASSWD[[:blank:]]*:", Act::tag, Tok::tag_nopasswd},
      {kInclusive, "PASSWD[[:blank:]]*:", Act::tag, Tok::tag_passwd},
      {kInclusive, "NOEXEC[[:blank:]]*:", Act::tag, Tok::tag_noexec},
      {kInclusive, "EXEC[[:blank:]]*:", Act::tag, Tok::tag_exec},
      {kInclusive, "INTERCEPT[[:blank:]]*:", Act::tag, Tok::tag_intercept},
      {kInclusive, "NOINTERCEPT[[:blank:]]*:", Act::tag, Tok::tag_nointercept},
      {kInclusive, "SETENV[[:blank:]]*:", Act::tag, Tok::tag_setenv},
      {kInclusive, "NOSETENV[[:blank:]]*:", Act::tag, Tok::tag_nosetenv},
      {kInclusive, "LOG_OUTPUT[[:blank:]]*:", Act::tag, Tok::tag_log_output},
      {kInclusive, "NOLOG_OUTPUT[[:blank:]]*:", Act::tag, Tok::tag_nolog_output},
      {kInclusive, "LOG_INPUT[[:blank:]]*:", Act::tag, Tok::tag_log_input},
      {kInclusive, "NOLOG_INPUT[[:blank:]]*:", Act::tag, Tok::tag_nolog_input},
      {kInclusive, "MAIL[[:blank:]]*:", Act::tag, Tok::tag_mail},
      {kInclusive, "NOMAIL[[:blank:]]*:", Act::tag, Tok::tag_nomail},
      {kInclusive, "FOLLOW[[:blank:]]*:", Act::tag, Tok::tag_follow},
      {kInclusive, "NOFOLLOW[[:blank:]]*:", Act::tag, Tok::tag_nofollow},
      {INITIAL | GOTDEFS, "(\\+|\\%|\\%:)", Act::empty_group},
      {kInclusive, "\\+{WORD}", Act::netgroup},
      {kInclusive, "\\%:?({WORD}|{ID})", Act::usergroup},
      {kInclusive, "{IPV4ADDR}(\\/{IPV4ADDR})?", Act::net4},
      {kInclusive, "{IPV4ADDR}\\/([12]?[0-9]|3[0-2])", Act::net4},
      {kInclusive, "{IPV6ADDR}(\\/{IPV6ADDR})?", Act::net6},
      {kInclusive, "{IPV6ADDR}\\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])", Act::net6},
      {kInclusive, "ALL", Act::all},
      {INITIAL, "TIMEOUT", Act::keyword, Tok::timeout},
      {INITIAL, "NOTBEFORE", Act::keyword, Tok::notbefore},
      {INITIAL, "NOTAFTER", Act::keyword, Tok::notafter},
      {INITIAL, "CWD", Act::keyword_path, Tok::cwd},
      {INITIAL, "CHROOT", Act::keyword_path, Tok::chroot},
      // Debian's sudo is built with SELinux, without AppArmor or Solaris
      // privileges: those keywords are plain aliases there.
      {INITIAL, "ROLE", Act::keyword, Tok::role},
      {INITIAL, "TYPE", Act::keyword, Tok::type},
      {kInclusive, "[[:upper:]][[:upper:][:digit:]_]*", Act::alias},
      {GOTDEFS, "({PATH}|{REGEX}|sudoedit)", Act::defs_cmnd},
      {kInclusive, "sha224", Act::sha, Tok::sha224},
      {kInclusive, "sha256", Act::sha, Tok::sha256},
      {kInclusive, "sha384", Act::sha, Tok::sha384},
      {kInclusive, "sha512", Act::sha, Tok::sha512},
      {kInclusive, "sudoedit", Act::sudoedit},
      {EXPECTPATH, "({PATH}|{WORD})", Act::expect_path},
      {kInclusive, "{PATH}", Act::path},
      {kInclusive, "{REGEX}", Act::regex},
      {INITIAL | GOTDEFS, "\\\"", Act::begin_str},
      {INITIAL | GOTDEFS, "({ID}|{WORD})", Act::word},
      {GOTINC, "[^\\\"[:space:]]([^[:space:]]|\\\\[[:blank:]])*", Act::inc_word},
      {GOTINC, "\\\"", Act::inc_quote},
      {kInclusive, "\\(", Act::punct, Tok::lparen},
      {kInclusive, "\\)", Act::punct, Tok::rparen},
      {kInclusive, ",", Act::punct, Tok::comma},
      {kInclusive, "=", Act::punct, Tok::equals},
      {kInclusive, ":", Act::punct, Tok::colon},
      {kAll, "!+", Act::bangs},
      {kAll, "\\r?\\n", Act::newline},
      {kAll, "[[:blank:]]+", Act::blanks},
      {kAll, "\\\\[[:blank:]]*\\r?\\n", Act::continuation},
      {INITIAL | STARTDEFS | INDEFS, "#(-[^\\r\\n0-9].*|[^\\r\\n0-9-].*)?(\\r\\n|\\n)?", Act::comment},
      {kAll, ".", Act::nomatch},
  };
  return table;
}

const std::map<std::string, std::string>& definitions() {
  static const std::map<std::string, std::string> defs = {
      {"HEX16", "[0-9A-Fa-f]{1,4}"},
      {"OCTET", "(1?[0-9]{1,2})|(2[0-4][0-9])|(25[0-5])"},
      {"IPV4ADDR", "{OCTET}(\\.{OCTET}){3}"},
      {"IPV6ADDR", "({HEX16}?:){2,7}{HEX16}?|({HEX16}?:){2,6}:{IPV4ADDR}"},
      {"WORD", "([^#>!=:,\\(\\) \\t\\r\\n\\\\\\\"]|\\\\[^\\t\\n])+"},
      {"ID", "#-?[0-9]+"},
      {"PATH", "\\/(\\\\[\\,:= \\t#]|[^\\,:=\\\\ \\t\\r\\n#])+"},
      {"REGEX", "\\^([^#\\r\\n\\$]|\\\\[#\\$])*\\$"},
      {"ENVAR", "([^#!=, \\t\\r\\n\\\\\\\"]|\\\\[^\\r\\n])([^#=, \\t\\r\\n\\\\\\\"]|\\\\[^\\r\\n])*"},
      {"DEFVAR", "[a-z_]+"},
  };
  return defs;
}

// One compiled scanner and the active-rule sets of each start condition;
// per thread because the DFA is built lazily.

}  // namespace clinic_audit::sudoers::lexer_rules
