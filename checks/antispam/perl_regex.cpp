#include "perl_regex.hpp"

#include <algorithm>
#include <cctype>

namespace clinic_audit::antispam {
namespace {

// Characters a POSIX extended expression gives a meaning to (regex(7)).
constexpr std::string_view kEreSpecial = ".[]()*+?{}|^$\\";
// Perl's and PCRE2's \s: space, \t \n \v \f \r (perlrecharclass(1)).
constexpr std::string_view kSpaces = " \t\n\v\f\r";

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

class Translator {
 public:
  explicit Translator(std::string_view perl) : p_(perl) {}

  std::optional<std::string> run(std::string& why) {
    while (i_ < p_.size() && step()) {
    }
    // regcomp takes a C string: a NUL anywhere (a [:class:] copied as it
    // is, say) would cut the pattern short.
    if (why_.empty() && out_.find('\0') != std::string::npos) why_ = "a NUL character";
    if (!why_.empty()) {
      why = why_;
      return std::nullopt;
    }
    return out_;
  }
  const PerlGroups& groups() const { return groups_; }

 private:
  // What the last item written was: what a quantifier after it would apply to.
  enum class Last { nothing, atom, assertion, quantifier };

  bool fail(std::string reason) {
    why_ = std::move(reason);
    return false;
  }
  // fail() where a character is expected: 0 is never one (see numbered()).
  int refuse(std::string reason) {
    fail(std::move(reason));
    return 0;
  }

  bool step() {
    const char c = p_[i_];
    switch (c) {
      case '\\': return escape();
      case '[': return bracket();
      case '(': return group();
      case ')':
        out_ += ')';
        ++i_;
        last_ = Last::atom;
        return true;
      case '|':
        out_ += '|';
        ++i_;
        last_ = Last::nothing;
        return true;
      case '.':  // any character: the subject is one line (no /s needed)
        ++i_;
        return atom(".");
      case '^':
      case '$':
        out_ += c;
        ++i_;
        last_ = Last::assertion;
        return true;
      case '*':
      case '+':
      case '?': return quantifier(1);
      case '{': return brace();
      default: ++i_; return literal(static_cast<unsigned char>(c));
    }
  }

  bool literal(unsigned char c) {
    if (c == 0) return fail("a NUL character");
    if (kEreSpecial.find(static_cast<char>(c)) != std::string_view::npos) out_ += '\\';
    out_ += static_cast<char>(c);
    last_ = Last::atom;
    return true;
  }

  // The character an escape names (\t \n \r \f \e \a \xHH \x{HH} \0oo), with
  // i_ just past the letter; 0 and a reason when it names none this can
  // write, -1 when the escape is not one of these.
  int char_escape(char e) {
    switch (e) {
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      case 'f': return '\f';
      case 'e': return 0x1b;
      case 'a': return 0x07;
      case 'x': return numbered(hex_value());
      case '0': return numbered(octal_value());
      default: return -1;
    }
  }

  int numbered(long value) {
    if (value < 0) return refuse("a malformed \\x{...} escape");
    if (value == 0) return refuse("a NUL character");
    if (value > 0x7f) return refuse("a character beyond ASCII given by number (bytes or characters?)");
    return static_cast<int>(value);
  }

  // perlrebackslash(1): \x takes up to two hex digits, or {...}.
  long hex_value() {
    if (i_ < p_.size() && p_[i_] == '{') {
      const std::size_t end = p_.find('}', i_);
      if (end == std::string_view::npos) return -1;
      const std::string_view digits = p_.substr(i_ + 1, end - i_ - 1);
      i_ = end + 1;
      if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), is_hex)) return -1;
      return std::stol(std::string(digits), nullptr, 16);
    }
    long value = 0;
    for (int n = 0; n < 2 && i_ < p_.size() && is_hex(p_[i_]); ++n, ++i_) {
      value = value * 16 + std::stol(std::string(1, p_[i_]), nullptr, 16);
    }
    return value;
  }

  // \0 and up to two more octal digits.
  long octal_value() {
    long value = 0;
    for (int n = 0; n < 2 && i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '7'; ++n, ++i_) {
      value = value * 8 + (p_[i_] - '0');
    }
    return value;
  }

  bool escape() {
    if (i_ + 1 >= p_.size()) return fail("a pattern ending in a lone backslash");
    const char e = p_[i_ + 1];
    i_ += 2;
    switch (e) {
      case 'd': return atom("[0-9]");
      case 'D': return atom("[^0-9]");
      case 'w': return atom("[A-Za-z0-9_]");
      case 'W': return atom("[^A-Za-z0-9_]");
      case 's': return atom("[" + std::string(kSpaces) + "]");
      case 'S': return atom("[^" + std::string(kSpaces) + "]");
      // glibc's \b and \B are word boundaries as Perl's (regex(7), GNU).
      case 'b': return assertion("\\b");
      case 'B': return assertion("\\B");
      // Perl's \A, \z, \Z on a one-line subject: its start and end.
      case 'A': return assertion("^");
      case 'z':
      case 'Z': return assertion("$");
      default: break;
    }
    const int c = char_escape(e);
    if (c > 0) return literal(static_cast<unsigned char>(c));
    if (c == 0) return false;
    if (e >= '1' && e <= '9') return fail("a back-reference (\\" + std::string(1, e) + ")");
    if (std::isalnum(static_cast<unsigned char>(e)) != 0) {
      return fail("the escape \\" + std::string(1, e) + ", which POSIX has no equivalent for");
    }
    return literal(static_cast<unsigned char>(e));  // escaped punctuation: itself
  }

  bool atom(const std::string& text) {
    out_ += text;
    last_ = Last::atom;
    return true;
  }

  bool assertion(const std::string& text) {
    out_ += text;
    last_ = Last::assertion;
    return true;
  }

  bool group() {
    if (i_ + 1 < p_.size() && p_[i_ + 1] == '*') return fail("a (*VERB)");
    if (i_ + 1 >= p_.size() || p_[i_ + 1] != '?') {
      out_ += '(';
      ++groups_.capturing;
      ++i_;
      last_ = Last::nothing;
      return true;
    }
    const std::string_view rest = p_.substr(i_ + 2);
    std::size_t skip = 0;
    if (rest.starts_with(":")) {
      skip = 3;
    } else if (rest.starts_with("#")) {  // a comment, up to the first ')'
      const std::size_t end = p_.find(')', i_);
      if (end == std::string_view::npos) return fail("an unterminated (?#...) comment");
      i_ = end + 1;
      return true;
    } else if (rest.starts_with("P<") ||
               (rest.starts_with("<") && !rest.starts_with("<=") && !rest.starts_with("<!")) ||
               rest.starts_with("'")) {  // a named group: (?<n>, (?P<n>, (?'n'
      const std::size_t open = i_ + 2 + (rest.front() == 'P' ? 1 : 0);
      const char close = p_[open] == '\'' ? '\'' : '>';
      const std::size_t end = p_.find(close, open + 1);
      if (end == std::string_view::npos || end == open + 1) return fail("a malformed named group");
      const std::string_view name = p_.substr(open + 1, end - open - 1);
      if (!std::all_of(name.begin(), name.end(), is_word)) return fail("a malformed named group");
      skip = end + 1 - i_;
      ++groups_.capturing;  // named groups are numbered too (perlre(1))
    } else {
      return fail("the group (?" + std::string(rest.substr(0, 1)) +
                  "...) (look-around, inline flags or a conditional), which POSIX has no equivalent for");
    }
    out_ += '(';
    i_ += skip;
    last_ = Last::nothing;
    return true;
  }

  // A quantifier of `length` characters at i_; then a lazy `?` (the same
  // strings match, only another way) or a possessive `+` (they do not).
  bool quantifier(std::size_t length) {
    if (last_ == Last::nothing) return fail("a quantifier that follows nothing");
    if (last_ == Last::quantifier) return fail("a quantifier on a quantifier");
    if (last_ == Last::assertion) return fail("a quantifier on an assertion");
    out_ += p_.substr(i_, length);
    i_ += length;
    if (i_ < p_.size() && p_[i_] == '?') {
      ++i_;
    } else if (i_ < p_.size() && p_[i_] == '+') {
      return fail("a possessive quantifier");
    }
    last_ = Last::quantifier;
    return true;
  }

  // {n}, {n,}, {n,m} are quantifiers; any other brace is a literal in Perl
  // (perlre(1), "Quantifiers"). {,m} is one in Perl 5.34 and later and a
  // literal in PCRE2 before 10.43, and blanks inside are allowed from Perl
  // 5.34 only: both are left undecided.
  bool brace() {
    const std::size_t end = p_.find('}', i_);
    const std::string_view inside =
        end == std::string_view::npos ? std::string_view() : p_.substr(i_ + 1, end - i_ - 1);
    const bool digits_commas = end != std::string_view::npos && !inside.empty() &&
                               inside.find_first_not_of("0123456789, \t") == std::string_view::npos;
    if (!digits_commas) {
      ++i_;
      return literal('{');
    }
    const std::size_t comma = inside.find(',');
    if (comma != std::string_view::npos && inside.find(',', comma + 1) != std::string_view::npos) {
      ++i_;  // {1,2,3}: not a quantifier, a literal brace
      return literal('{');
    }
    if (comma == 0 || inside.find_first_of(" \t") != std::string_view::npos) {
      return fail("the quantifier {" + std::string(inside) + "}, read differently by Perl and PCRE versions");
    }
    return quantifier(end + 1 - i_);
  }

  // A bracket expression: Perl's escapes inside it are made characters or
  // ranges, and the POSIX expression is written with `]` first, `-` last
  // and `^` never first (regex(7)).
  bool bracket() {
    ++i_;
    bool negate = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negate = true;
      ++i_;
    }
    std::string classes;  // 0-9, [:alpha:], ...
    std::string chars;    // single characters
    for (bool first = true;; first = false) {
      if (i_ >= p_.size()) return fail("an unterminated bracket expression");
      if (p_[i_] == ']' && !first) {
        ++i_;
        break;
      }
      if (p_[i_] == '[' && i_ + 1 < p_.size() && (p_[i_ + 1] == ':' || p_[i_ + 1] == '=' || p_[i_ + 1] == '.')) {
        const std::size_t end = p_.find(std::string{p_[i_ + 1], ']'}, i_ + 2);
        if (p_[i_ + 1] != ':' || end == std::string_view::npos) return fail("a [= =] or [. .] in brackets");
        classes += p_.substr(i_, end + 2 - i_);
        i_ = end + 2;
        continue;
      }
      int lo = bracket_member(classes, chars);
      if (lo == 0) return false;
      if (lo < 0) continue;  // a class escape, already added
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        const int hi = bracket_member(classes, chars);
        if (hi == 0) return false;
        if (hi < 0) return fail("a range that ends in a class escape");
        if (hi < lo) return fail("a range out of order");
        for (int c = lo; c <= hi; ++c) chars += static_cast<char>(c);
        continue;
      }
      chars += static_cast<char>(lo);
    }
    const auto take = [&chars](char c) {
      const bool had = chars.find(c) != std::string::npos;
      std::erase(chars, c);
      return had;
    };
    const bool close = take(']');
    const bool open = take('[');
    const bool caret = take('^');
    const bool dash = take('-');
    if (chars.find('\0') != std::string::npos) return fail("a NUL character");
    std::string body = (close ? "]" : "") + classes + chars + (open ? "[" : "");
    if (body.empty() && !negate && caret && !dash) return atom("\\^");
    if (body.empty() && !negate && caret) return atom("[-^]");
    body += std::string(caret ? "^" : "") + (dash ? "-" : "");
    return atom("[" + std::string(negate ? "^" : "") + body + "]");
  }

  // One member of a bracket expression at i_: its character (> 0), or -1
  // when it was a class escape (\d \w \s) added to `classes`/`chars`, or 0
  // when it cannot be translated.
  int bracket_member(std::string& classes, std::string& chars) {
    if (p_[i_] == '\0') return refuse("a NUL character");
    if (p_[i_] != '\\') return static_cast<unsigned char>(p_[i_++]);
    if (i_ + 1 >= p_.size()) return refuse("an unterminated bracket expression");
    const char e = p_[i_ + 1];
    i_ += 2;
    switch (e) {
      case 'd': classes += "0-9"; return -1;
      case 'w': classes += "A-Za-z0-9_"; return -1;
      case 's': chars += kSpaces; return -1;
      case 'D':
      case 'W':
      case 'S': return refuse("a negated class escape (\\" + std::string(1, e) + ") inside brackets");
      case 'b': return 0x08;  // backspace, inside brackets
      default: break;
    }
    const int c = char_escape(e);
    if (c != -1) return c;
    if (std::isalnum(static_cast<unsigned char>(e)) != 0) {
      return refuse("the escape \\" + std::string(1, e) + " inside brackets, which POSIX has no equivalent for");
    }
    return static_cast<unsigned char>(e);
  }

  std::string_view p_;
  PerlGroups groups_;
  std::size_t i_ = 0;
  std::string out_;
  std::string why_;
  Last last_ = Last::nothing;
};

}  // namespace

std::optional<std::string> perl_to_posix_ere(std::string_view perl, std::string& why, PerlGroups* groups) {
  Translator translator(perl);
  auto ere = translator.run(why);
  if (groups != nullptr) *groups = translator.groups();
  return ere;
}

}  // namespace clinic_audit::antispam
