#include "amavis_parser.hpp"

#include "amavis_lexer.hpp"

#include <cctype>

namespace clinic_audit::antispam {
namespace {

constexpr int kMaxDepth = 64;

char closing(char open) {
  switch (open) {
    case '(': return ')';
    case '[': return ']';
    case '{': return '}';
    case '<': return '>';
    default: return open;
  }
}

class Parser {
 public:
  explicit Parser(std::vector<PerlToken> tokens) : t_(std::move(tokens)) {}

  std::vector<PerlStatement> statements() {
    std::vector<PerlStatement> out;
    while (cur().kind != PerlToken::Kind::end) {
      const std::size_t start = i_;
      PerlStatement st = statement();
      if (st.kind != PerlStatement::Kind::other) out.push_back(std::move(st));
      // Resynchronise at the end of the statement.
      while (cur().kind != PerlToken::Kind::end && !is(";")) skip_balanced();
      if (is(";")) ++i_;
      if (i_ == start) ++i_;
    }
    return out;
  }

 private:
  const PerlToken& cur() const { return t_[i_ < t_.size() ? i_ : t_.size() - 1]; }
  const PerlToken& ahead(std::size_t n) const { return t_[i_ + n < t_.size() ? i_ + n : t_.size() - 1]; }
  bool is(std::string_view p) const { return cur().kind == PerlToken::Kind::punct && cur().text == p; }

  void skip_balanced() {
    if (is("(") || is("[") || is("{")) {
      const char close = closing(cur().text[0]);
      int level = 0;
      while (cur().kind != PerlToken::Kind::end) {
        if (cur().kind == PerlToken::Kind::punct && (cur().text == "(" || cur().text == "[" || cur().text == "{"))
          ++level;
        if (cur().kind == PerlToken::Kind::punct && cur().text.size() == 1 &&
            (cur().text[0] == ')' || cur().text[0] == ']' || cur().text[0] == '}')) {
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
    if (cur().kind == PerlToken::Kind::word && (cur().text == "my" || cur().text == "our" || cur().text == "local"))
      ++i_;
    if (cur().kind == PerlToken::Kind::variable && ahead(1).kind == PerlToken::Kind::punct && ahead(1).text == "=") {
      st.kind = PerlStatement::Kind::assignment;
      st.target = cur().text;
      i_ += 2;
      st.value = expression(0);
      return st;
    }
    if (cur().kind == PerlToken::Kind::word && ahead(1).kind == PerlToken::Kind::punct && ahead(1).text == "(") {
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
    while (cur().kind != PerlToken::Kind::end && !is(close)) {
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
    const PerlToken& t = cur();
    if (t.kind == PerlToken::Kind::punct && (t.text == "(" || t.text == "[" || t.text == "{")) {
      n.kind = t.text == "("   ? PerlNode::Kind::list
               : t.text == "[" ? PerlNode::Kind::array_ref
                               : PerlNode::Kind::hash_ref;
      const std::string close(1, closing(t.text[0]));
      ++i_;
      sequence(n, close, depth);
    } else if (t.kind == PerlToken::Kind::punct && t.text == "-" && ahead(1).kind == PerlToken::Kind::number) {
      n.kind = PerlNode::Kind::number;
      n.text = "-" + ahead(1).text;
      i_ += 2;
    } else if (t.kind == PerlToken::Kind::string || t.kind == PerlToken::Kind::number) {
      n.kind = t.kind == PerlToken::Kind::string ? PerlNode::Kind::string : PerlNode::Kind::number;
      n.text = t.text;
      ++i_;
    } else if (t.kind == PerlToken::Kind::qw) {
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
    } else if (t.kind == PerlToken::Kind::regexp) {
      n.kind = PerlNode::Kind::regexp;
      n.text = t.text;
      n.flags = t.flags;
      ++i_;
    } else if (t.kind == PerlToken::Kind::ref || t.kind == PerlToken::Kind::variable) {
      n.kind = t.kind == PerlToken::Kind::ref ? PerlNode::Kind::ref : PerlNode::Kind::variable;
      n.text = t.text;
      ++i_;
    } else if (t.kind == PerlToken::Kind::word) {
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
    while (cur().kind == PerlToken::Kind::punct && cur().text != "," && cur().text != "=>" && cur().text != ";" &&
           cur().text != ")" && cur().text != "]" && cur().text != "}" && depth < kMaxDepth) {
      n.kind = PerlNode::Kind::opaque;
      ++i_;
      if (cur().kind != PerlToken::Kind::end && !is(";")) {
        const std::size_t before = i_;
        (void)expression(depth + 1);
        if (i_ == before) ++i_;
      }
    }
    return n;
  }

  std::vector<PerlToken> t_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<PerlStatement> parse_perl_config(std::string_view text) { return Parser(lex_perl(text)).statements(); }

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
