// Over 400 lines: sudo's scanner (plugins/sudoers/toke.l) and its start
// conditions; the rule table is apart (sudoers_lexer_rules.cpp).
#include "sudoers_lexer.hpp"

#include <regex.h>

#include <string.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <memory>

#include "common/regex_guard.hpp"
#include "sudoers_lexer_rules.hpp"

namespace clinic_audit::sudoers {
namespace {

using namespace lexer_rules;

// The DFA of toke.l's rules, generated once from sudoers_lexer_rules.cpp
// (lex_table_render.cpp; a unit test keeps it current): read-only, shared by
// every thread, nothing built at run time (issue #16 item 5).
#include "sudoers_lex_table.inc"

struct LexMatch {
  int rule = -1;  // index into rules(), -1 when nothing matches
  std::size_t length = 0;
};

// Longest match at `pos` (flex: the longest, the earliest rule on a tie).
LexMatch longest_match(std::string_view text, std::size_t pos, int start) {
  LexMatch best;
  int state = start;
  for (std::size_t i = pos;; ++i) {
    const int accept = lex_table::kAccept[state];
    if (accept >= 0 && i > pos) best = {accept, i - pos};
    if (i >= text.size()) break;
    state = lex_table::kNext[state * lex_table::kClasses + lex_table::kByteClass[static_cast<unsigned char>(text[i])]];
    if (state < 0) break;
  }
  return best;
}

int state_index(unsigned state) {
  for (int i = 0; i < kStates; ++i) {
    if (state == (1u << i)) return i;
  }
  return 0;
}

// toke_util.c copy_string(): "\xHH" is a byte, "\c" is c.
std::string collapse(std::string_view src) {
  if (src.find('\\') == std::string_view::npos) return std::string(src);
  std::string out;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\\' && i + 1 < src.size()) {
      if (src[i + 1] == 'x' && i + 3 < src.size() && std::isxdigit(static_cast<unsigned char>(src[i + 2])) != 0 &&
          std::isxdigit(static_cast<unsigned char>(src[i + 3])) != 0) {
        out += static_cast<char>(std::stoi(std::string(src.substr(i + 2, 2)), nullptr, 16));
        i += 3;
      } else {
        out += src[++i];
      }
    } else {
      out += src[i];
    }
  }
  return out;
}

// toke_util.c fill_cmnd(): sudoers-special characters lose their backslash;
// a fully-qualified ".../sudoedit" is sudoedit.
std::string fill_cmnd(std::string_view src) {
  if (!src.empty() && src.front() == '^') return std::string(src);
  std::string out;
  if (src.find('\\') == std::string_view::npos) {
    out = src;  // the usual case: nothing to unescape
  } else {
    out.reserve(src.size());
    auto special = [](char c) { return c == ',' || c == ':' || c == '=' || c == ' ' || c == '\t' || c == '#'; };
    for (std::size_t i = 0; i < src.size(); ++i) {
      if (src[i] == '\\' && i + 1 < src.size() && special(src[i + 1])) out += src[++i];
      else out += src[i];
    }
  }
  const std::size_t slash = out.rfind('/');
  if (slash != std::string::npos && std::string_view(out).substr(slash) == "/sudoedit") return "sudoedit";
  return out;
}

bool ipv6_valid(std::string_view s) {
  int colons = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ':' && i + 1 < s.size() && s[i + 1] == ':' && ++colons > 1) return false;
    if (s[i] == '/') colons = 0;
  }
  return true;
}

std::size_t digest_length(Tok sha) {
  switch (sha) {
    case Tok::sha224: return 28;
    case Tok::sha256: return 32;
    case Tok::sha384: return 48;
    default: return 64;
  }
}

bool regex_compiles(const std::string& pattern) {
  regex_t re;
  if (regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return false;
  regfree(&re);
  return true;
}

}  // namespace

std::string normalise_input(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 1);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    std::size_t stop = eol == std::string_view::npos ? text.size() : eol;
    const std::size_t nul = text.substr(pos, stop - pos).find('\0');
    if (nul != std::string_view::npos) stop = pos + nul;
    out.append(text.substr(pos, stop - pos));
    out += '\n';
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
  }
  return out;
}

// The scanner's state between tokens: toke.l's globals, one per file.
struct Lexer::Impl {
  Impl(std::string_view raw, const LexOptions& opts) : text(normalise_input(raw)), options(opts) {}

  // The token goes straight into the caller's (Lexer::next(Token&)): no
  // Token is built, moved and destroyed in between (issue #16 item 5).
  void emit(Tok type, std::string&& value) {
    out->type = type;
    out->text = std::move(value);
    out->args.reset();
    out->line = line;
    out->column = column();
    produced = true;
  }
  void emit(Tok type) {
    out->type = type;
    out->text.clear();
    out->args.reset();
    out->line = line;
    out->column = column();
    produced = true;
  }
  int column() const { return static_cast<int>(pos - line_start) + 1; }
  // visudo compiles every regular expression (strict mode); one that would
  // make regcomp() explode is kept (sudo would use it) and reported apart.
  bool regex_ok(const std::string& pattern) {
    const auto why = (options.regex_budget != nullptr ? *options.regex_budget : own_budget).charge(pattern);
    if (why) {
      refused.emplace_back(line, std::to_string(line) + ":" + std::to_string(column()) + ": " + *why);
      return true;
    }
    return !options.strict || regex_compiles(pattern);
  }
  void error(std::string message) { emit(Tok::error, std::move(message)); }
  void fill_args(std::string_view piece, bool addspace) {
    if (!args) args = std::string(piece);
    else *args += (addspace ? " " : "") + std::string(piece);
  }
  void emit_command() {
    out->type = Tok::command;
    out->text = std::move(cmnd);
    out->args = std::move(args);
    out->line = line;
    out->column = column();
    produced = true;
  }

  // Runs one rule of the scanner (which may or may not produce a token).
  void step() {
    const auto cond = static_cast<std::size_t>(state_index(state));
    const LexMatch m = longest_match(text, pos, bol ? lex_table::kStartAtBol[cond] : lex_table::kStart[cond]);
    if (m.rule < 0) {
      // flex's default rule: one character, an error token.
      error("syntax error");
      if (text[pos] == '\n') {
        ++line;
        line_start = pos + 1;
      }
      ++pos;
      bol = text[pos - 1] == '\n';
      return;
    }
    const RuleDef& rule = rule_table[m.rule];
    const std::string_view match(text.data() + pos, m.length);
    std::size_t consumed = m.length;
    bool new_bol = match.back() == '\n';

    switch (rule.act) {
      case Act::defs_comma: emit(Tok::comma); break;
      case Act::defs_blank: state = STARTDEFS; break;
      case Act::defvar:
        state = INDEFS;
        emit(Tok::defvar, collapse(match));
        break;
      case Act::indefs_comma:
        state = STARTDEFS;
        emit(Tok::comma);
        break;
      case Act::indefs_eq: emit(Tok::equals); break;
      case Act::indefs_plus: emit(Tok::plus_equals); break;
      case Act::indefs_minus: emit(Tok::minus_equals); break;
      case Act::begin_str:
        string_value.reset();
        prev_state = state;
        state = INSTR;
        break;
      case Act::envar: emit(Tok::word, collapse(match)); break;
      case Act::str_cont:
        ++line;
        continued = true;
        break;
      case Act::str_end: {
        state = prev_state;
        if (!string_value) {
          error("empty string");
          break;
        }
        Tok type = Tok::word;
        if (prev_state == INITIAL || prev_state == GOTDEFS) {
          const std::string& s = *string_value;
          if (s[0] == '%') {
            if (s.size() == 1 || s == "%:") {
              error("empty group");
              break;
            }
            type = Tok::user_group;
          } else if (s[0] == '+') {
            if (s.size() == 1) {
              error("empty netgroup");
              break;
            }
            type = Tok::netgroup;
          }
        }
        emit(type, std::move(*string_value));
        break;
      }
      case Act::str_backslash:
      case Act::str_body: string_value = string_value.value_or("") + collapse(match); break;
      case Act::cmnd_qglob:
        fill_args(match, sawspace);
        sawspace = false;
        break;
      case Act::cmnd_qspecial:
        fill_args(match.substr(1), sawspace);
        sawspace = false;
        break;
      case Act::cmnd_end:
        state = INITIAL;
        consumed = 0;
        new_bol = false;
        emit_command();
        break;
      case Act::cmnd_arg:
        if (!args && match.front() == '^') {
          state = GOTREGEX;
          consumed = 0;
          new_bol = false;
        } else {
          fill_args(match, sawspace);
          sawspace = false;
        }
        break;
      case Act::re_quoted: fill_args(match, false); break;
      case Act::re_bad:
        consumed = 0;
        new_bol = false;
        state = INITIAL;
        error("unterminated regular expression");
        break;
      case Act::re_end:
        fill_args("$", false);
        state = INITIAL;
        continued = false;
        if (!regex_ok(*args)) {
          error("invalid regular expression");
          break;
        }
        emit_command();
        break;
      case Act::re_body: {
        std::string_view body = match;
        if (continued) {
          while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) body.remove_prefix(1);
          continued = false;
        }
        if (!body.empty()) fill_args(body, false);
        break;
      }
      case Act::digest_hex:
      case Act::digest_b64: {
        const std::size_t n = digest_length(digest_type);
        const std::size_t want = rule.act == Act::digest_hex ? n * 2
                                 : match.back() == '='       ? 4 * ((n + 2) / 3)
                                                             : (4 * n + 2) / 3;
        state = INITIAL;
        if (match.size() == want) emit(Tok::digest, std::string(match));
        break;
      }
      case Act::at_include:
      case Act::at_includedir:
      case Act::hash_include:
      case Act::hash_includedir: {
        if (continued) {
          error("invalid line continuation");
          break;
        }
        const bool dir = rule.act == Act::at_includedir || rule.act == Act::hash_includedir;
        if (rule.act == Act::hash_include || rule.act == Act::hash_includedir) {
          consumed = dir ? 11 : 8;  // only "#include"/"#includedir" (toke.l)
          new_bol = false;
        }
        state = GOTINC;
        emit(dir ? Tok::includedir : Tok::include);
        break;
      }
      case Act::defaults: {
        if (continued) {
          error("invalid line continuation");
          break;
        }
        std::size_t n = 0;
        while (n < match.size() && (match[n] == ' ' || match[n] == '\t')) ++n;
        n += 8;  // "Defaults"
        state = GOTDEFS;
        if (n < match.size()) {
          const char deftype = match[n++];
          while (n < match.size() && (match[n] == ' ' || match[n] == '\t')) ++n;
          consumed = n;
          emit(deftype == ':'   ? Tok::defaults_user
               : deftype == '>' ? Tok::defaults_runas
               : deftype == '@' ? Tok::defaults_host
                                : Tok::defaults_cmnd);
        } else {
          emit(Tok::defaults);
        }
        break;
      }
      case Act::alias_kw: {
        if (continued) {
          error("invalid line continuation");
          break;
        }
        std::size_t n = 0;
        while (match[n] == ' ' || match[n] == '\t') ++n;
        emit(match[n] == 'H'   ? Tok::host_alias
             : match[n] == 'C' ? Tok::cmnd_alias
             : match[n] == 'U' ? Tok::user_alias
                               : Tok::runas_alias);
        break;
      }
      case Act::tag:
      case Act::keyword:
      case Act::punct: emit(rule.tok); break;
      case Act::keyword_path:
        prev_state = state;
        state = EXPECTPATH;
        emit(rule.tok);
        break;
      case Act::empty_group: error(match[0] == '+' ? "empty netgroup" : "empty group"); break;
      case Act::netgroup: emit(Tok::netgroup, collapse(match)); break;
      case Act::usergroup: emit(Tok::user_group, collapse(match)); break;
      case Act::net4: emit(Tok::network, collapse(match)); break;
      case Act::net6:
        if (!ipv6_valid(match)) {
          error("invalid IPv6 address");
          break;
        }
        emit(Tok::network, collapse(match));
        break;
      case Act::all: emit(Tok::all); break;
      case Act::alias: emit(Tok::alias, collapse(match)); break;
      case Act::defs_cmnd:
        cmnd = fill_cmnd(match);
        args.reset();
        emit_command();
        break;
      case Act::sha:
        digest_type = rule.tok;
        state = WANTDIGEST;
        emit(rule.tok);
        break;
      case Act::sudoedit:
        state = GOTCMND;
        cmnd = fill_cmnd(match);
        args.reset();
        break;
      case Act::expect_path:
        state = prev_state;
        emit(Tok::word, collapse(match));
        break;
      case Act::path:
        cmnd = fill_cmnd(match);
        args.reset();
        if (options.strict && cmnd == "sudoedit") {
          error("sudoedit should not be specified with a path");
          break;
        }
        if (match.back() == '/') emit_command();  // a directory takes no arguments
        else state = GOTCMND;
        break;
      case Act::regex:
        if (!regex_ok(std::string(match))) {
          error("invalid regular expression");
          break;
        }
        cmnd = fill_cmnd(match);
        args.reset();
        state = GOTCMND;
        break;
      case Act::word: emit(Tok::word, collapse(match)); break;
      case Act::inc_word:
        state = INITIAL;
        emit(Tok::word, collapse(match));
        break;
      case Act::inc_quote:
        string_value.reset();
        prev_state = INITIAL;
        state = INSTR;
        break;
      case Act::bangs:
        if (match.size() % 2 == 1) emit(Tok::bang);
        break;
      case Act::newline:
        if (state == INSTR) {
          state = INITIAL;
          consumed = 0;
          error("unexpected line break in string");
          break;
        }
        state = INITIAL;
        emit(Tok::newline);
        ++line;
        continued = false;
        break;
      case Act::blanks: sawspace = true; break;
      case Act::continuation:
        sawspace = true;
        ++line;
        continued = true;
        break;
      case Act::comment:
        state = INITIAL;
        emit(Tok::newline);
        ++line;
        continued = false;
        break;
      case Act::nomatch: error("syntax error"); break;
    }
    if (const void* nl = consumed > 0 ? memrchr(text.data() + pos, '\n', consumed) : nullptr) {
      line_start = static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1;
    }
    pos += consumed;
    bol = new_bol;
  }

  const std::string text;
  const LexOptions options;
  Token* out = nullptr;   // where the next token goes (Lexer::next())
  bool produced = false;  // the last step produced one (a rule yields at most one)
  const RuleDef* rule_table = rules().data();
  std::size_t pos = 0;
  std::size_t line_start = 0;  // offset of the physical line holding `pos`
  std::vector<std::pair<int, std::string>> refused;
  RegexCompileBudget own_budget;
  bool done = false;
  unsigned state = INITIAL;
  unsigned prev_state = INITIAL;
  bool bol = true;
  bool continued = false;
  bool sawspace = false;
  int line = 1;
  Tok digest_type = Tok::sha224;
  std::optional<std::string> string_value;  // INSTR accumulator
  std::string cmnd;
  std::optional<std::string> args;
};

Lexer::Lexer(std::string_view text, const LexOptions& options) : impl_(std::make_unique<Impl>(text, options)) {}
Lexer::~Lexer() = default;

void Lexer::next(Token& token) {
  Impl& l = *impl_;
  l.out = &token;
  l.produced = false;
  int stalled = 0;
  while (!l.produced) {
    if (l.done || l.pos >= l.text.size()) {
      l.done = true;
      token.type = Tok::end;
      token.text.clear();
      token.args.reset();
      token.line = l.line;
      token.column = l.column();
      return;
    }
    const std::size_t before = l.pos;
    const unsigned state = l.state;
    l.step();
    // Every rule consumes text or changes the start condition; a scan that
    // does neither twice in a row would never end (defensive).
    stalled = (l.pos == before && l.state == state) ? stalled + 1 : 0;
    if (stalled > 2) l.done = true;
  }
}

Token Lexer::next() {
  Token token;
  next(token);
  return token;
}

const std::vector<std::pair<int, std::string>>& Lexer::refused_regexes() const { return impl_->refused; }

std::vector<Token> tokenize(std::string_view raw, const LexOptions& options) {
  Lexer lexer(raw, options);
  std::vector<Token> tokens;
  do {
    tokens.push_back(lexer.next());
  } while (tokens.back().type != Tok::end && tokens.back().type != Tok::error);
  return tokens;
}

}  // namespace clinic_audit::sudoers
