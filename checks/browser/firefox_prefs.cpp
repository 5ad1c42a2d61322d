// Preference-file parser (modules/libpref/parser: statements
// `name("pref.name", value[, sticky|locked]);` with //, /* */ and # comments),
// and the subset of autoconfig JavaScript (extensions/pref/autoconfig/src/
// prefcalls.js: pref, lockPref, defaultPref, unlockPref) an admin's .cfg uses.
#include <optional>

#include "firefox_policy.hpp"
#include "i18n.hpp"

namespace clinic_audit::browser {
namespace {

class PrefLexer {
 public:
  explicit PrefLexer(std::string_view text) : text_(text) {}
  int line() const { return line_; }
  bool at_end() {
    skip();
    return pos_ >= text_.size();
  }
  void skip() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '#' || (c == '/' && peek(1) == '/')) {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && peek(1) == '*') {
        const auto end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) throw PrefError(line_, "unterminated /* comment");
        for (std::size_t i = pos_; i < end; ++i) line_ += text_[i] == '\n';
        pos_ = end + 2;
      } else {
        break;
      }
    }
  }
  // modules/libpref/parser/src/lib.rs: "On a syntax error, it will scan
  // forward to the next ';' token and then continue parsing" (a string or a
  // comment on the way is one token: its ';' do not count).
  void recover() {
    while (true) {
      try {
        skip();
      } catch (const PrefError&) {  // an unterminated comment runs to the end
        pos_ = text_.size();
      }
      if (pos_ >= text_.size()) return;
      const char c = text_[pos_];
      if (c == ';') {
        ++pos_;
        return;
      }
      if (c == '"' || c == '\'') {
        try {
          quoted();
        } catch (const PrefError&) {
          pos_ = text_.size();
        }
        continue;
      }
      ++pos_;
    }
  }
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  void expect(char c) {
    skip();
    if (peek() != c) throw PrefError(line_, std::string("'") + c + "' expected");
    ++pos_;
  }
  std::string word() {
    skip();
    std::string out;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      out += text_[pos_++];
    return out;
  }
  std::string quoted() {
    skip();
    const char q = peek();
    if (q != '"' && q != '\'') throw PrefError(line_, "quoted string expected");
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) throw PrefError(line_, _("unterminated string"));
      const char c = text_[pos_++];
      if (c == q) return out;
      if (c == '\n') ++line_;
      if (c == '\\' && pos_ < text_.size()) {
        const char e = text_[pos_++];
        out += e == 'n' ? '\n' : e;
        continue;
      }
      out += c;
    }
  }
  JsonValue value() {
    skip();
    JsonValue v;
    v.line = line_;
    const char c = peek();
    if (c == '"' || c == '\'') {
      v.kind = JsonValue::Kind::string;
      v.string = quoted();
      return v;
    }
    if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) {
      bool negative = c == '-';
      if (c == '-' || c == '+') ++pos_;
      long long n = 0;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) throw PrefError(line_, "number expected");
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (n < 10000000000LL) n = n * 10 + (text_[pos_] - '0');
        ++pos_;
      }
      v.kind = JsonValue::Kind::integer;
      v.integer = negative ? -n : n;
      return v;
    }
    const std::string w = word();
    if (w == "true" || w == "false") {
      v.kind = JsonValue::Kind::boolean;
      v.boolean = w == "true";
      return v;
    }
    throw PrefError(line_, _("value expected (true, false, a number or a string)"));
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::string autoconfig_body(std::string_view bytes, long obscure_value) {
  std::string out(bytes);
  // nsReadConfig.cpp: "if (obscureValue > 0)" -- zero or a negative value leaves the bytes as they are.
  if (obscure_value > 0) {
    for (char& c : out)
      c = static_cast<char>(static_cast<unsigned char>(c) - static_cast<unsigned char>(obscure_value & 0xff));
  }
  // nsJSConfigTriggers.cpp: the first line is skipped up to "\n", "\r" or "\r\n".
  std::size_t end = 0;
  while (end < out.size() && out[end] != '\n' && out[end] != '\r') ++end;
  if (end < out.size() && out[end] == '\r' && end + 1 < out.size() && out[end + 1] == '\n') out.erase(end, 1);
  return out.erase(0, end);
}

namespace {

// One statement of a preference file or of an autoconfig body.
void apply_statement(PrefLexer& lex, const std::string& file, Prefs& prefs, bool autoconfig);

}  // namespace

void apply_pref_file(std::string_view text, const std::string& file, Prefs& prefs, PrefSyntax syntax) {
  const bool autoconfig = syntax == PrefSyntax::autoconfig;
  PrefLexer lex(text);
  std::optional<PrefError> first_error;
  while (!lex.at_end()) {
    try {
      apply_statement(lex, file, prefs, autoconfig);
    } catch (const PrefError& e) {
      if (autoconfig) throw;  // JavaScript we do not evaluate: stop there
      if (!first_error) first_error = e;
      lex.recover();
    }
  }
  if (first_error) throw *first_error;
}

namespace {

void apply_statement(PrefLexer& lex, const std::string& file, Prefs& prefs, bool autoconfig) {
  {
    const int line = lex.line();
    const std::string kind = lex.word();
    const bool known = autoconfig
                           ? (kind == "pref" || kind == "lockPref" || kind == "defaultPref" || kind == "unlockPref")
                           // lockPref is honoured in a preference file, defaultPref is a
                           // syntax error there (both checked against firefox-esr 153).
                           : (kind == "pref" || kind == "user_pref" || kind == "sticky_pref" || kind == "lockPref");
    if (!known) {
      if (autoconfig)  // the .cfg is JavaScript: anything else is not evaluated here
        throw PrefError(line,
                        (kind.empty() ? std::string("a statement") : "'" + kind + "'") +
                            " is JavaScript beyond pref()/lockPref()/defaultPref()/unlockPref() calls: not evaluated");
      throw PrefError(line, kind.empty() ? _("pref(...) expected") : "unknown function '" + kind + "'");
    }
    lex.expect('(');
    const std::string name = lex.quoted();
    if (kind == "unlockPref") {  // prefcalls.js: unlockPref(name)
      lex.expect(')');
      lex.skip();
      if (lex.peek() == ';') lex.expect(';');
      if (auto it = prefs.find(name); it != prefs.end()) it->second.locked = false;
      return;
    }
    lex.expect(',');
    JsonValue value = lex.value();
    bool locked = kind == "lockPref";
    lex.skip();
    while (!autoconfig && lex.peek() == ',') {
      lex.expect(',');
      const std::string attribute = lex.word();
      if (attribute == "locked") locked = true;
      else if (attribute != "sticky") throw PrefError(lex.line(), "unknown attribute '" + attribute + "'");
      lex.skip();
    }
    lex.expect(')');
    lex.skip();
    if (autoconfig) {
      // prefcalls.js: a statement may end at the line (JavaScript's automatic
      // semicolons); lockPref unlocks, sets the default and locks again (it wins
      // over an earlier lock); pref() sets the user value, which a locked pref
      // ignores; defaultPref() sets the default, which is what a locked pref shows.
      if (lex.peek() == ';') lex.expect(';');
      auto it = prefs.find(name);
      const bool was_locked = it != prefs.end() && it->second.locked;
      if (kind == "pref" && was_locked) return;
      prefs[name] = {value, file, line, locked || was_locked};
      return;
    }
    lex.expect(';');
    auto it = prefs.find(name);
    if (it != prefs.end() && it->second.locked && !locked) return;  // a locked pref keeps its value
    prefs[name] = {value, file, line, locked || (it != prefs.end() && it->second.locked)};
  }
}

}  // namespace
}  // namespace clinic_audit::browser
