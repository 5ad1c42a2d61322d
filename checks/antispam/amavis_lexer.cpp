#include "amavis_lexer.hpp"

#include <cctype>

namespace clinic_audit::antispam {
namespace {

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }

char closing(char open) {
  switch (open) {
    case '(': return ')';
    case '[': return ']';
    case '{': return '}';
    case '<': return '>';
    default: return open;
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<PerlToken> run() {
    std::vector<PerlToken> out;
    while (true) {
      PerlToken t = next();
      out.push_back(t);
      if (t.kind == PerlToken::Kind::end) break;
    }
    return out;
  }

 private:
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  void advance() {
    if (pos_ < s_.size()) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  bool at_line_start() const { return pos_ == 0 || s_[pos_ - 1] == '\n'; }

  // Delimited text after q, qw, qr or a quote: nested brackets count.
  std::string delimited(char open) {
    const char close = closing(open);
    int level = 1;
    std::string out;
    while (pos_ < s_.size()) {
      const char c = peek();
      if (c == '\\' && pos_ + 1 < s_.size()) {
        const char n = peek(1);
        if (n == close || n == open || n == '\\') {
          if (!(open == '"' || open == '\'') || n == close || n == '\\') {
            out.push_back(n);
            advance();
            advance();
            continue;
          }
        }
        out.push_back(c);
        advance();
        continue;
      }
      if (c == open && open != close) ++level;
      if (c == close && --level == 0) {
        advance();
        return out;
      }
      out.push_back(c);
      advance();
    }
    return out;
  }

  PerlToken next() {
    while (pos_ < s_.size()) {
      const char c = peek();
      if (c == '#') {
        while (pos_ < s_.size() && peek() != '\n') advance();
      } else if (c == '=' && at_line_start() && std::isalpha(static_cast<unsigned char>(peek(1)))) {
        // POD block up to "=cut"
        while (pos_ < s_.size() && !(at_line_start() && s_.substr(pos_, 4) == "=cut")) advance();
        while (pos_ < s_.size() && peek() != '\n') advance();
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        advance();
      } else {
        break;
      }
    }
    PerlToken t;
    t.line = line_;
    if (pos_ >= s_.size()) return t;
    const char c = peek();
    if (c == '\'' || c == '"') {
      advance();
      t.kind = PerlToken::Kind::string;
      t.text = delimited(c);
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
      t.kind = PerlToken::Kind::number;
      while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == '_') {
        t.text.push_back(peek());
        advance();
      }
      return t;
    }
    if (c == '$' || c == '@' || c == '%') {
      if (word_char(peek(1)) || peek(1) == '{') {
        t.kind = PerlToken::Kind::variable;
        t.text.push_back(c);
        advance();
        if (peek() == '{') {
          advance();
          t.text += delimited('{');
        }
        while (word_char(peek())) {
          t.text.push_back(peek());
          advance();
        }
        return t;
      }
    }
    if (c == '\\' && (peek(1) == '$' || peek(1) == '@' || peek(1) == '%')) {
      advance();
      PerlToken v = next();
      v.kind = v.kind == PerlToken::Kind::variable ? PerlToken::Kind::ref : v.kind;
      return v;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::string word;
      while (word_char(peek())) {
        word.push_back(peek());
        advance();
      }
      if ((word == "q" || word == "qq" || word == "qw" || word == "qr") && peek() != '=' && peek() != ',' &&
          !std::isspace(static_cast<unsigned char>(peek())) && peek() != '\0') {
        const char open = peek();
        advance();
        t.text = delimited(open);
        t.kind = word == "qw" ? PerlToken::Kind::qw : word == "qr" ? PerlToken::Kind::regexp : PerlToken::Kind::string;
        if (word == "qr") {
          while (std::isalpha(static_cast<unsigned char>(peek()))) {
            t.flags.push_back(peek());
            advance();
          }
        }
        return t;
      }
      if (word == "__END__" || word == "__DATA__") {
        pos_ = s_.size();
        t.kind = PerlToken::Kind::end;
        return t;
      }
      t.kind = PerlToken::Kind::word;
      t.text = word;
      return t;
    }
    t.kind = PerlToken::Kind::punct;
    t.text.push_back(c);
    advance();
    if ((c == '=' && peek() == '>') || (c == '-' && peek() == '>') || (c == '=' && peek() == '=') ||
        (c == '=' && peek() == '~')) {
      t.text.push_back(peek());
      advance();
    }
    return t;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::vector<PerlToken> lex_perl(std::string_view text) { return Lexer(text).run(); }

}  // namespace clinic_audit::antispam
