// Over 400 lines: one state machine for PHP's ini scanner and parser
// (Zend/zend_ini_scanner.l, zend_ini_parser.y); its states share the value
// buffer and line counter, and split they would no longer read like PHP's.
#include "php_ini_parser.hpp"

#include <map>
#include <utility>

#include "php_ini_lexemes.hpp"

namespace clinic_audit::php {
namespace {

using lexemes::boolean_word;
using lexemes::iequals;
using lexemes::is_blank;
using lexemes::is_eol;
using lexemes::is_identifier;
using lexemes::is_label_char;
using lexemes::is_value_char;
using lexemes::php_atoi;
using lexemes::unescape;

struct SyntaxError {
  std::string message;
  std::optional<std::string> partial;  // value PHP still applies (parser already reduced it)
};

struct LimitExceeded {
  std::string message;
};

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class Parser {
 public:
  Parser(std::string_view text, const IniParseOptions& options)
      : text_(text), lookup_(options.variables), constants_(options.constants), budget_(options.expansion_budget) {}

  IniFile run() {
    // The scanner skips a UTF-8 BOM at the start of the input
    // (Zend/zend_ini_scanner.l, zend_ini_prepare_string_for_scanning and
    // zend_ini_open_file_for_scanning: "skip UTF-8 BOM").
    if (text_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
    try {
      while (statement()) {
      }
    } catch (const SyntaxError& e) {
      if (e.partial && current_) {
        current_->value = *e.partial;
        emit();
      }
      out_.error = IniSyntaxError{line_, e.message};
    } catch (const LimitExceeded& e) {
      out_.limit = IniSyntaxError{line_, e.message};
    }
    out_.expanded_bytes = expanded_;
    return std::move(out_);
  }

 private:
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  bool at_end() const { return pos_ >= text_.size(); }
  // A NUL byte inside the text (peek() also gives '\0' at the end).
  bool at_nul() const { return pos_ < text_.size() && text_[pos_] == '\0'; }

  void newline() {
    if (peek() == '\r' && peek(1) == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  char skip_blanks() {
    char last = '\0';
    while (is_blank(peek())) last = text_[pos_++];
    return last;
  }
  void skip_comment() {
    while (!at_end() && !is_eol(peek())) ++pos_;
  }
  [[noreturn]] void fail(const std::string& message, std::optional<std::string> partial = std::nullopt) {
    throw SyntaxError{message, std::move(partial)};
  }
  std::string describe(char c) const {
    if (at_nul()) return "NUL byte";
    if (c == '\0') return "end of file";
    if (is_eol(c)) return "end of line";
    return std::string("'") + c + "'";
  }

  bool statement() {
    const char last_blank = skip_blanks();
    const char c = peek();
    if (at_end()) return false;
    if (is_eol(c)) {
      newline();
      return true;
    }
    if (c == ';') {
      skip_comment();
      return true;
    }
    if (c == '[') {
      // Spaces before '[' form a (blank) label with an offset, not a
      // section: " [PHP]" is a syntax error in PHP, "\t[PHP]" is a section.
      if (last_blank == ' ') fail("unexpected '[' after blanks: a section header must start the line");
      section();
      return true;
    }
    if (!is_label_char(c)) fail("unexpected " + describe(c) + " at the start of a statement");
    // The scanner's boolean rule ("true", "off", "null"... then blanks) ties
    // with a key of the same length and comes first: "off = 1" or a line
    // "Yes" is a syntax error (php 8.2: "unexpected BOOL_FALSE"). A space
    // just before makes the key longer (keys may start with spaces), and
    // "off[x]" is an array key.
    if (last_blank != ' ' && starts_with_boolean()) fail("unexpected boolean at the start of a statement");
    entry();
    return true;
  }

  // A value PHP has already reduced when the error comes, only at the top
  // of the value: inside an operand nothing has been reduced yet.
  std::optional<std::string> partial_if_top(std::string value) const {
    if (operand_depth_ > 0) return std::nullopt;
    return value;
  }

  bool starts_with_boolean() const {
    std::size_t end = pos_;
    while (end < text_.size() && is_label_char(text_[end])) ++end;
    std::string_view run = text_.substr(pos_, end - pos_);
    while (!run.empty() && run.back() == ' ') run.remove_suffix(1);
    // "yes]..." is not one either (php 8.2 reads no error there).
    return boolean_word(run).has_value() && (end >= text_.size() || (text_[end] != '[' && text_[end] != ']'));
  }

  void section() {
    ++pos_;  // '['
    std::string name;
    while (true) {
      const char c = peek();
      if (at_end() || is_eol(c)) fail("unexpected " + describe(c) + ", expecting ']'");
      if (c == ']') break;
      if (c == '\\' && pos_ + 1 < text_.size()) {
        name += text_[pos_ + 1];
        pos_ += 2;
      } else if (c == '$' && peek(1) == '{') {
        name += variable(nullptr);
      } else if (c == '"') {
        name += double_quoted(nullptr);
      } else {
        name += c;
        ++pos_;
      }
    }
    ++pos_;  // ']'
    skip_blanks();
    if (is_eol(peek())) newline();
    const std::string_view prefix = std::string_view(name).substr(0, 4);
    if (name.size() >= 4 && (iequals(prefix, "PATH") || iequals(prefix, "HOST"))) special_ = name;
    section_ = std::move(name);
  }

  void entry() {
    const int key_line = line_;
    std::string key;
    while (!at_end() && is_label_char(peek())) key += text_[pos_++];
    while (!key.empty() && key.back() == ' ') key.pop_back();
    std::optional<std::string> offset;
    if (peek() == '[') {
      ++pos_;
      std::string o;
      while (peek() != ']') {
        if (at_end() || is_eol(peek())) fail("unexpected " + describe(peek()) + ", expecting ']'");
        o += text_[pos_++];
      }
      ++pos_;
      while (!o.empty() && is_blank(o.back())) o.pop_back();
      std::size_t start = 0;
      while (start < o.size() && is_blank(o[start])) ++start;
      offset = o.substr(start);
    }
    skip_blanks();
    const char c = peek();
    if (at_end() || is_eol(c) || c == ';') {
      // A bare key: PHP passes no value and the directive stays unset.
      if (offset) fail("unexpected " + describe(c) + ", expecting '='");
      return;
    }
    if (!offset && c != '=' && is_label_char(c)) {
      // "x\ty = 1": a tab ends a key, and a key followed by another one is a
      // bare key; php 8.2 then reads "y = 1" as a statement of its own.
      return;
    }
    if (c != '=') fail("unexpected " + describe(c) + ", expecting '='");
    ++pos_;
    current_ = IniEntry{key, offset, {}, key_line, section_, special_, {}, {}};
    value();
  }

  void value() {
    skip_blanks();
    std::string result = expression();
    const std::size_t blanks_at = pos_;
    skip_blanks();
    const char c = peek();
    if (end_of_input_) {
      // An unterminated single quote: the scanner returns end of input.
      pos_ = text_.size();
      current_->value = std::move(result);
      emit();
      return;
    }
    if (ended_by_empty_quotes_) {
      ended_by_empty_quotes_ = false;
      current_->value = std::move(result);
      emit();
      return;
    }
    if (at_end() || is_eol(c) || c == ';') {
      if (c == ';') skip_comment();
      current_->value = std::move(result);
      emit();
      return;
    }
    if (at_nul()) {
      // The scanner ends the value at a NUL (END_OF_LINE) and goes back to
      // its initial state: the rest of the line is read as new statements.
      ++pos_;
      current_->value = std::move(result);
      emit();
      return;
    }
    // PHP has already reduced the value when it meets the unexpected token:
    // the entry takes effect, then the file stops. Blanks before the token
    // are part of it only after a plain piece (not after a double quote, a
    // boolean or an operator), and there is no entry without any value.
    std::optional<std::string> partial;
    if (had_operand_) partial = result + (blanks_join_ ? std::string(text_.substr(blanks_at, pos_ - blanks_at)) : "");
    if (!had_operand_ && c == '=') partial = "";  // "a == x": PHP has reduced an empty value
    fail("unexpected " + describe(c) + " in the value", partial);
  }

  // expr: term (('|' | '&' | '^') term)*, all left-associative at one level.
  std::string expression() {
    std::string left = term();
    while (true) {
      const std::size_t before_blanks = pos_;
      skip_blanks();
      const char op = peek();
      if (op != '|' && op != '&' && op != '^') {
        pos_ = before_blanks;
        return left;
      }
      if (!had_operand_) fail(std::string("unexpected '") + op + "'");
      // A boolean is a whole value, never an operand: "off ^ 1" stops at the
      // operator with the boolean's value applied (php 8.2).
      if (last_was_boolean_) fail(std::string("unexpected '") + op + "' after a boolean", left);
      ++pos_;
      skip_blanks();
      const int a = php_atoi(left);
      ++operand_depth_;
      const std::string right = term();
      --operand_depth_;
      if (!had_operand_) fail(std::string("unexpected ") + describe(peek()) + " after '" + op + "'");
      if (last_was_boolean_) fail(std::string("unexpected boolean after '") + op + "'");
      const int b = php_atoi(right);
      left = std::to_string(op == '|' ? (a | b) : op == '&' ? (a & b) : (a ^ b));
      blanks_join_ = false;
      last_was_boolean_ = false;
    }
  }

  std::string term() {
    // Bison's stack limit makes PHP fail on absurd nesting; so do we, before
    // our own stack would.
    if (++depth_ > kMaxDepth) fail("expression nested too deeply");
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    skip_blanks();
    const char c = peek();
    if (c == '~' || c == '!') {
      ++pos_;
      ++operand_depth_;
      const std::string operand = term();
      --operand_depth_;
      if (!had_operand_) fail(std::string("unexpected ") + describe(peek()) + " after '" + c + "'");
      if (last_was_boolean_) fail(std::string("unexpected boolean after '") + c + "'");
      const int v = php_atoi(operand);
      had_operand_ = true;
      blanks_join_ = false;
      last_was_boolean_ = false;
      return std::to_string(c == '~' ? ~v : (v == 0 ? 1 : 0));
    }
    if (c == '(') {
      ++pos_;
      ++operand_depth_;
      std::string inner = expression();
      --operand_depth_;
      skip_blanks();
      if (peek() != ')') fail("unexpected " + describe(peek()) + ", expecting ')'");
      ++pos_;
      had_operand_ = true;
      blanks_join_ = false;
      last_was_boolean_ = false;
      return inner;
    }
    return string_list();
  }

  // Adjacent raw runs, quoted strings and ${VAR}s, joined.
  std::string string_list() {
    std::string out;
    std::string pending_blanks;
    bool after_double_quote = false;
    int pieces = 0;
    std::optional<std::string> boolean;  // "1" or "" when the piece is true/on/yes/false/off/no/none/null
    had_operand_ = false;
    while (true) {
      const char c = peek();
      if (is_blank(c)) {
        pending_blanks.clear();
        while (is_blank(peek())) pending_blanks += text_[pos_++];
        continue;
      }
      std::string piece;
      // Nothing may follow a boolean in a value (php 8.2: the boolean is
      // applied, then "unexpected ..." stops the file).
      const bool unterminated_quote = c == '\'' && text_.find('\'', pos_ + 1) == std::string_view::npos;
      if (boolean && !unterminated_quote && (c == '"' || c == '\'' || c == '$' || is_value_char(c))) {
        fail("unexpected text after a boolean", partial_if_top(out));
      }
      if (c == '"') {
        pending_blanks.clear();  // blanks before and after double quotes are eaten
        piece = double_quoted(&*current_);
      } else if (c == '\'' && peek(1) == '\'') {
        // An empty '' ends the value, trailing blanks kept, and PHP skips the
        // rest of the line (observed with php 8.2; a '"' there is an error).
        out += pending_blanks;
        pos_ += 2;
        while (!at_end() && !is_eol(peek())) {
          if (peek() == '"') fail("unexpected '\"' after ''", out);
          ++pos_;
        }
        ended_by_empty_quotes_ = true;
        had_operand_ = true;
        return out;
      } else if (unterminated_quote) {
        // No closing quote in the rest of the file: php 8.2 takes it as the
        // end of input, silently after a value ("a = x 'y" gives "x "), as a
        // syntax error when nothing precedes it.
        if (pieces == 0) fail("unexpected end of file in a single-quoted string");
        if (!after_double_quote && !boolean) out += pending_blanks;
        end_of_input_ = true;
        break;
      } else if (c == '\'') {
        ++pos_;
        while (peek() != '\'') {
          if (at_end()) fail("unexpected end of file in a single-quoted string");
          if (is_eol(peek())) ++line_;
          piece += text_[pos_++];
        }
        ++pos_;
      } else if (c == '$' && peek(1) == '{') {
        piece = variable(&*current_);
      } else if (is_value_char(c) || c == '$') {
        while (!at_end() && (is_value_char(peek()) || (peek() == '$' && peek(1) != '{'))) {
          if (peek() == '$') {
            // The scanner's value characters include '$' followed by any one
            // character but '{', that character included: "x$;y" is one
            // value, a '$' ending a line joins the next line to the value,
            // a '$' ending the file is dropped (php 8.2).
            ++pos_;
            if (at_end()) break;
            piece += '$';
            if (peek() == '\n' || (peek() == '\r' && peek(1) != '\n')) ++line_;
          }
          piece += text_[pos_++];
        }
        if (auto b = boolean_word(piece)) {
          if (pieces > 0) fail("unexpected boolean '" + piece + "'", partial_if_top(out + pending_blanks));
          boolean = b;
          piece = *b;
        } else if (is_identifier(piece)) {
          piece = constant(piece);
        }
      } else if (at_nul()) {
        // Blanks before a NUL are a TC_WHITESPACE piece of the value: kept
        // ("a = x \0" gives "x "), unless next to a double quote or a boolean.
        if (!after_double_quote && !boolean) out += pending_blanks;
        break;
      } else {
        pos_ -= pending_blanks.size();  // trailing blanks belong to whatever follows
        break;                          // end of value, operator or '='
      }
      if (boolean && pieces > 0) fail("unexpected text after a boolean", partial_if_top(out));
      if (!after_double_quote && c != '"') out += pending_blanks;
      pending_blanks.clear();
      out += piece;
      after_double_quote = c == '"';
      ++pieces;
    }
    had_operand_ = pieces > 0;
    blanks_join_ = pieces > 0 && !after_double_quote && !boolean;
    last_was_boolean_ = boolean.has_value();
    return out;
  }

  std::string constant(const std::string& name) {
    const auto value = constants_ ? constants_(name) : startup_constant(name, {});
    if (!value) return name;
    if (value->build_specific) {
      if (current_) current_->unknown_constants.push_back(name);
      return value->value;
    }
    spend(value->value.size());
    return value->value;
  }

  // ${...} can double a value per line ("b = ${a}${a}"): past the budget the
  // file is abandoned rather than grown to what PHP would need.
  void spend(std::size_t bytes) {
    expanded_ += bytes;
    if (expanded_ > budget_) {
      throw LimitExceeded{"${...} expansions in this file exceed " + std::to_string(budget_) +
                          " bytes (an expansion bomb?): not evaluated"};
    }
  }

  // ST_DOUBLE_QUOTES of zend_ini_scanner.l: a '"' ends the string unless an
  // odd run of backslashes precedes it and something other than an end of
  // line follows it. The content is then unescaped by zend_ini_escape_string().
  std::string double_quoted(IniEntry* entry) {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      const std::size_t start = pos_;
      std::size_t backslashes = 0;  // run of backslashes just before pos_
      while (true) {
        if (at_end()) fail("unexpected end of file in a double-quoted string");
        const char c = text_[pos_];
        if (c == '"') {
          const bool escaped = backslashes % 2 == 1 && pos_ + 1 < text_.size() && !is_eol(text_[pos_ + 1]);
          if (!escaped) break;
        } else if (c == '$' && peek(1) == '{' && backslashes % 2 == 0) {
          break;  // "\${" is a literal "${"
        }
        backslashes = c == '\\' ? backslashes + 1 : 0;
        if (c == '\n' || (c == '\r' && peek(1) != '\n')) ++line_;
        ++pos_;
      }
      out += unescape(text_.substr(start, pos_ - start));
      if (text_[pos_] == '"') break;
      out += variable(entry);
    }
    ++pos_;  // closing quote
    skip_blanks();
    return out;
  }

  std::string variable(IniEntry* entry) {
    pos_ += 2;  // "${"
    std::string name;
    while (peek() != '}') {
      if (at_end() || is_eol(peek())) fail("unexpected " + describe(peek()) + ", expecting '}'");
      name += text_[pos_++];
    }
    ++pos_;
    if (auto it = locals_.find(name); it != locals_.end()) {
      spend(it->second.size());
      return it->second;
    }
    if (lookup_) {
      if (auto v = lookup_(name)) {
        spend(v->size());
        return *v;
      }
    }
    if (entry) entry->unresolved.push_back(name);
    return {};
  }

  void emit() {
    if (!current_) return;
    if (!current_->special_section && !current_->offset) locals_[current_->key] = current_->value;
    out_.entries.push_back(std::move(*current_));
    current_.reset();
  }

  std::string_view text_;
  const IniVarLookup& lookup_;
  const IniConstantLookup& constants_;
  std::size_t budget_;
  std::size_t expanded_ = 0;
  std::size_t pos_ = 0;
  int line_ = 1;
  IniFile out_;
  std::optional<IniEntry> current_;
  std::optional<std::string> special_;
  std::string section_;
  std::map<std::string, std::string, std::less<>> locals_;
  bool had_operand_ = false;
  bool ended_by_empty_quotes_ = false;
  bool end_of_input_ = false;  // an unterminated single quote ended the file
  bool blanks_join_ = false;   // blanks after the last operand belong to the value
  bool last_was_boolean_ = false;
  int operand_depth_ = 0;  // inside an operator's operand or parentheses
  int depth_ = 0;
  static constexpr int kMaxDepth = 1000;
};

}  // namespace

IniFile parse_php_ini(std::string_view text, const IniVarLookup& lookup) {
  IniParseOptions options;
  options.variables = lookup;
  return Parser(text, options).run();
}

IniFile parse_php_ini(std::string_view text, const IniParseOptions& options) { return Parser(text, options).run(); }

}  // namespace clinic_audit::php
