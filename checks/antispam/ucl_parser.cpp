#include "ucl_parser.hpp"
#include "i18n.hpp"

#include <cctype>

#include "antispam_common.hpp"

namespace clinic_audit::antispam {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view text, const std::string& file, UclDocument& doc) : s_(text), file_(file), doc_(doc) {}

  void parse_document() {
    doc_.root.kind = UclValue::Kind::object;
    doc_.root.line = 1;
    // libucl accepts a top-level object in braces too.
    skip_space();
    if (peek() == '{') {
      advance();
      parse_members(doc_.root, '}', 0);
    } else {
      parse_members(doc_.root, '\0', 0);
    }
  }

 private:
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  bool at_end() const { return pos_ >= s_.size(); }
  void advance() {
    if (!at_end()) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  void issue(const std::string& what, const std::string& expected) {
    if (doc_.issues.size() < 50) doc_.issues.push_back({file_, line_, what, expected});
  }

  // Whitespace, newlines and comments ('#' to end of line, nested /* */).
  void skip_space() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        int level = 0;
        while (!at_end()) {
          if (peek() == '/' && peek(1) == '*') {
            ++level;
            advance();
            advance();
          } else if (peek() == '*' && peek(1) == '/') {
            advance();
            advance();
            if (--level == 0) break;
          } else {
            advance();
          }
        }
      } else {
        break;
      }
    }
  }

  static bool atom_char(char c) {
    return c != '\0' && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '=' && c != ':' && c != ';' &&
           c != ',' && c != '{' && c != '}' && c != '[' && c != ']' && c != '"' && c != '\'' && c != '#';
  }

  std::string quoted_string() {
    const char quote = peek();
    advance();
    std::string out;
    while (!at_end() && peek() != quote) {
      char c = peek();
      if (c == '\\' && pos_ + 1 < s_.size()) {
        advance();
        c = peek();
        if (quote == '"') {
          switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            default: break;
          }
        } else if (c != '\'') {
          out.push_back('\\');
        }
      }
      out.push_back(c);
      advance();
    }
    if (at_end()) issue(_("unterminated string"), std::string("a closing ") + quote);
    advance();
    return out;
  }

  std::string atom() {
    std::string out;
    while (atom_char(peek())) {
      // A value atom may hold ':' (URLs, "fallback+file://"); keys stop there.
      out.push_back(peek());
      advance();
    }
    return out;
  }

  std::string key() {
    if (peek() == '"' || peek() == '\'') return quoted_string();
    return atom();
  }

  // Scalar value: string, heredoc or atom (which may contain ':' and '/').
  UclValue scalar() {
    UclValue v;
    v.line = line_;
    if (peek() == '"' || peek() == '\'') {
      v.text = quoted_string();
      v.quoted = true;
      return v;
    }
    if (peek() == '<' && peek(1) == '<') {
      advance();
      advance();
      std::string tag;
      while (!at_end() && peek() != '\n') {
        tag.push_back(peek());
        advance();
      }
      advance();
      std::string body;
      while (!at_end()) {
        std::string line_text;
        while (!at_end() && peek() != '\n') {
          line_text.push_back(peek());
          advance();
        }
        advance();
        if (trim(line_text) == trim(tag)) break;
        body += line_text + "\n";
      }
      v.text = body;
      v.quoted = true;
      return v;
    }
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == ',' || c == '}' || c == ']' || c == '#' ||
          c == '{' || c == '[') {
        break;
      }
      v.text.push_back(c);
      advance();
    }
    return v;
  }

  UclValue value(int depth) {
    if (peek() == '{') {
      UclValue v;
      v.kind = UclValue::Kind::object;
      v.line = line_;
      advance();
      parse_members(v, '}', depth + 1);
      return v;
    }
    if (peek() == '[') {
      UclValue v;
      v.kind = UclValue::Kind::array;
      v.line = line_;
      advance();
      parse_array(v, depth + 1);
      return v;
    }
    return scalar();
  }

  void parse_array(UclValue& array, int depth) {
    if (depth > kMaxDepth) {
      issue(_("nesting deeper than 64"), "a shallower configuration");
      skip_to_close(']');
      return;
    }
    while (true) {
      skip_space();
      if (at_end()) {
        issue(_("unterminated array"), "]");
        return;
      }
      if (peek() == ']') {
        advance();
        return;
      }
      if (peek() == ',' || peek() == ';') {
        advance();
        continue;
      }
      const std::size_t before = pos_;
      array.items.push_back(value(depth));
      if (pos_ == before) {
        issue(std::string("unexpected '") + peek() + "'", _("an array element"));
        advance();
      }
    }
  }

  void skip_to_close(char close) {
    int level = 1;
    const char open = close == '}' ? '{' : '[';
    while (!at_end() && level > 0) {
      if (peek() == open) ++level;
      if (peek() == close) --level;
      advance();
    }
  }

  void macro() {
    UclMacro m;
    m.line = line_;
    advance();  // '.'
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_') {
      m.name.push_back(peek());
      advance();
    }
    skip_space();
    if (peek() == '(') {
      advance();
      while (!at_end() && peek() != ')') {
        m.params.push_back(peek());
        advance();
      }
      advance();
      skip_space();
    }
    if (peek() == '"' || peek() == '\'') {
      m.argument = quoted_string();
    } else if (peek() == '{') {
      advance();
      skip_to_close('}');
    } else {
      m.argument = scalar().text;
    }
    doc_.macros.push_back(std::move(m));
  }

  void parse_members(UclValue& object, char close, int depth) {
    if (depth > kMaxDepth) {
      issue(_("nesting deeper than 64"), "a shallower configuration");
      if (close != '\0') skip_to_close(close);
      return;
    }
    while (true) {
      skip_space();
      if (at_end()) {
        if (close != '\0') issue("unterminated object", std::string(1, close));
        return;
      }
      const char c = peek();
      if (c == close) {
        advance();
        return;
      }
      if (c == ';' || c == ',') {
        advance();
        continue;
      }
      if (c == '.' && close != ']') {
        macro();
        continue;
      }
      const int member_line = line_;
      std::string name = key();
      if (name.empty()) {
        issue(std::string("unexpected '") + c + "'", "a key");
        advance();
        continue;
      }
      skip_space();
      UclValue* target = &object;
      // section "name" { ... }: nested implicit objects.
      while ((peek() == '"' || peek() == '\'' || atom_char(peek())) && looks_like_section()) {
        UclValue outer;
        outer.kind = UclValue::Kind::object;
        outer.line = member_line;
        target->members.push_back({name, std::move(outer)});
        target = &target->members.back().value;
        name = key();
        skip_space();
      }
      if (peek() == '=' || peek() == ':') {
        advance();
        skip_space();
      }
      UclValue v = value(depth);
      v.line = v.line == 0 ? member_line : v.line;
      target->members.push_back({std::move(name), std::move(v)});
    }
  }

  // After a key, is the next token another key followed by '{' (a named section)?
  bool looks_like_section() {
    std::size_t p = pos_;
    if (s_[p] == '"' || s_[p] == '\'') {
      const char q = s_[p];
      ++p;
      while (p < s_.size() && s_[p] != q) p += (s_[p] == '\\' ? 2U : 1U);
      ++p;
    } else {
      while (p < s_.size() && atom_char(s_[p])) ++p;
    }
    while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
    return p < s_.size() && s_[p] == '{';
  }

  std::string_view s_;
  const std::string& file_;
  UclDocument& doc_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

const UclValue* UclValue::get(std::string_view key) const {
  const UclValue* found = nullptr;
  for (const UclMember& m : members) {
    if (ascii_lower(m.key) == ascii_lower(key)) found = &m.value;
  }
  return found;
}

std::string UclValue::scalar(std::string_view key) const {
  const UclValue* v = get(key);
  return v && v->kind == Kind::scalar ? v->text : std::string();
}

bool UclValue::truthy() const {
  const std::string t = ascii_lower(text);
  return kind == Kind::scalar && (t == "true" || t == "yes" || t == "on" || t == "1");
}

UclDocument parse_ucl(std::string_view text, const std::string& file) {
  UclDocument doc;
  Parser(text, file, doc).parse_document();
  return doc;
}

}  // namespace clinic_audit::antispam
