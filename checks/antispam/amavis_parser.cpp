#include "amavis_parser.hpp"

#include <cctype>

namespace clinic_audit::antispam {
namespace {

constexpr int kMaxDepth = 64;

struct Token {
  enum class Kind { string, number, word, variable, ref, regexp, qw, punct, end };
  Kind kind = Kind::end;
  std::string text;
  std::string flags;
  int line = 0;
};

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

  std::vector<Token> run() {
    std::vector<Token> out;
    while (true) {
      Token t = next();
      out.push_back(t);
      if (t.kind == Token::Kind::end) break;
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

  Token next() {
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
    Token t;
    t.line = line_;
    if (pos_ >= s_.size()) return t;
    const char c = peek();
    if (c == '\'' || c == '"') {
      advance();
      t.kind = Token::Kind::string;
      t.text = delimited(c);
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
      t.kind = Token::Kind::number;
      while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == '_') {
        t.text.push_back(peek());
        advance();
      }
      return t;
    }
    if (c == '$' || c == '@' || c == '%') {
      if (word_char(peek(1)) || peek(1) == '{') {
        t.kind = Token::Kind::variable;
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
      Token v = next();
      v.kind = v.kind == Token::Kind::variable ? Token::Kind::ref : v.kind;
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
        t.kind = word == "qw" ? Token::Kind::qw : word == "qr" ? Token::Kind::regexp : Token::Kind::string;
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
        t.kind = Token::Kind::end;
        return t;
      }
      t.kind = Token::Kind::word;
      t.text = word;
      return t;
    }
    t.kind = Token::Kind::punct;
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

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::vector<PerlStatement> statements() {
    std::vector<PerlStatement> out;
    while (cur().kind != Token::Kind::end) {
      const std::size_t start = i_;
      PerlStatement st = statement();
      if (st.kind != PerlStatement::Kind::other) out.push_back(std::move(st));
      // Resynchronise at the end of the statement.
      while (cur().kind != Token::Kind::end && !is(";")) skip_balanced();
      if (is(";")) ++i_;
      if (i_ == start) ++i_;
    }
    return out;
  }

 private:
  const Token& cur() const { return t_[i_ < t_.size() ? i_ : t_.size() - 1]; }
  const Token& ahead(std::size_t n) const { return t_[i_ + n < t_.size() ? i_ + n : t_.size() - 1]; }
  bool is(std::string_view p) const { return cur().kind == Token::Kind::punct && cur().text == p; }

  void skip_balanced() {
    if (is("(") || is("[") || is("{")) {
      const char close = closing(cur().text[0]);
      int level = 0;
      while (cur().kind != Token::Kind::end) {
        if (cur().kind == Token::Kind::punct && (cur().text == "(" || cur().text == "[" || cur().text == "{")) ++level;
        if (cur().kind == Token::Kind::punct && cur().text.size() == 1 && (cur().text[0] == ')' || cur().text[0] == ']' || cur().text[0] == '}')) {
          --level;
          if (level == 0) {
            ++i_;
            (void)close;
            return;
          }
        }
        ++i_;
      }
      return;
    }
    ++i_;
  }

  PerlStatement statement() {
    PerlStatement st;
    st.line = cur().line;
    if (cur().kind == Token::Kind::word && (cur().text == "my" || cur().text == "our" || cur().text == "local")) ++i_;
    if (cur().kind == Token::Kind::variable && ahead(1).kind == Token::Kind::punct && ahead(1).text == "=") {
      st.kind = PerlStatement::Kind::assignment;
      st.target = cur().text;
      i_ += 2;
      st.value = expression(0);
      return st;
    }
    if (cur().kind == Token::Kind::word && ahead(1).kind == Token::Kind::punct && ahead(1).text == "(") {
      st.kind = PerlStatement::Kind::call;
      st.target = cur().text;
      ++i_;
      st.value = expression(0);
      return st;
    }
    return st;
  }

  // A comma-separated sequence up to `close` (")", "]", "}").
  void sequence(PerlNode& into, std::string_view close, int depth) {
    while (cur().kind != Token::Kind::end && !is(close)) {
      if (is(",") || is("=>")) {
        ++i_;
        continue;
      }
      if (is(";")) return;  // unbalanced: give up at the statement end
      const std::size_t before = i_;
      into.children.push_back(expression(depth + 1));
      if (i_ == before) ++i_;
    }
    if (is(close)) ++i_;
  }

  PerlNode expression(int depth) {
    PerlNode n;
    n.line = cur().line;
    if (depth > kMaxDepth) {
      n.kind = PerlNode::Kind::opaque;
      return n;
    }
    const Token& t = cur();
    if (t.kind == Token::Kind::punct && (t.text == "(" || t.text == "[" || t.text == "{")) {
      n.kind = t.text == "(" ? PerlNode::Kind::list : t.text == "[" ? PerlNode::Kind::array_ref : PerlNode::Kind::hash_ref;
      const std::string close(1, closing(t.text[0]));
      ++i_;
      sequence(n, close, depth);
    } else if (t.kind == Token::Kind::punct && t.text == "-" && ahead(1).kind == Token::Kind::number) {
      n.kind = PerlNode::Kind::number;
      n.text = "-" + ahead(1).text;
      i_ += 2;
    } else if (t.kind == Token::Kind::string || t.kind == Token::Kind::number) {
      n.kind = t.kind == Token::Kind::string ? PerlNode::Kind::string : PerlNode::Kind::number;
      n.text = t.text;
      ++i_;
    } else if (t.kind == Token::Kind::qw) {
      n.kind = PerlNode::Kind::list;
      std::string word;
      for (char c : t.text + " ") {
        if (std::isspace(static_cast<unsigned char>(c))) {
          if (!word.empty()) n.children.push_back({PerlNode::Kind::string, word, {}, t.line, {}});
          word.clear();
        } else {
          word.push_back(c);
        }
      }
      ++i_;
    } else if (t.kind == Token::Kind::regexp) {
      n.kind = PerlNode::Kind::regexp;
      n.text = t.text;
      n.flags = t.flags;
      ++i_;
    } else if (t.kind == Token::Kind::ref || t.kind == Token::Kind::variable) {
      n.kind = t.kind == Token::Kind::ref ? PerlNode::Kind::ref : PerlNode::Kind::variable;
      n.text = t.text;
      ++i_;
    } else if (t.kind == Token::Kind::word) {
      n.text = t.text;
      ++i_;
      if (is("(")) {
        n.kind = PerlNode::Kind::call;
        ++i_;
        sequence(n, ")", depth);
      } else {
        n.kind = PerlNode::Kind::string;  // bareword (a hash key before =>)
      }
    } else {
      n.kind = PerlNode::Kind::opaque;
      ++i_;
    }
    // Operators after a term (".", "x", "?:", "->"...) make it opaque.
    while (cur().kind == Token::Kind::punct && cur().text != "," && cur().text != "=>" && cur().text != ";" &&
           cur().text != ")" && cur().text != "]" && cur().text != "}" && depth < kMaxDepth) {
      n.kind = PerlNode::Kind::opaque;
      ++i_;
      if (cur().kind != Token::Kind::end && !is(";")) {
        const std::size_t before = i_;
        (void)expression(depth + 1);
        if (i_ == before) ++i_;
      }
    }
    return n;
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<PerlStatement> parse_perl_config(std::string_view text) {
  return Parser(Lexer(text).run()).statements();
}

bool perl_true(const PerlNode& node) {
  switch (node.kind) {
    case PerlNode::Kind::string: return !node.text.empty() && node.text != "0";
    case PerlNode::Kind::number: {
      for (char c : node.text) {
        if (c != '0' && c != '.' && c != '-' && c != '+') return true;
      }
      return false;
    }
    case PerlNode::Kind::opaque: return false;
    default: return true;
  }
}

}  // namespace clinic_audit::antispam
