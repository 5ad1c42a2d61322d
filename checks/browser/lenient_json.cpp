#include "lenient_json.hpp"
#include "i18n.hpp"

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace clinic_audit::browser {
namespace {

constexpr int kMaxDepth = 200;

class Parser {
 public:
  Parser(std::string_view text, JsonDialect dialect) : text_(text), dialect_(dialect) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  JsonValue document() {
    JsonValue value = parse_value(0);
    skip_space();
    if (pos_ != text_.size()) fail(_("unexpected data after the JSON value"));
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw JsonError(line_, message); }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '/' && dialect_.comments && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && dialect_.comments && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        const int start = line_;
        pos_ += 2;
        while (true) {
          if (pos_ + 1 >= text_.size()) throw JsonError(start, _("unterminated /* comment"));
          if (text_[pos_] == '*' && text_[pos_ + 1] == '/') break;
          if (text_[pos_] == '\n') ++line_;
          ++pos_;
        }
        pos_ += 2;
      } else {
        break;
      }
    }
  }

  JsonValue parse_value(int depth) {
    if (depth > kMaxDepth) fail(tr("nesting deeper than {0}", kMaxDepth));
    skip_space();
    if (pos_ >= text_.size()) fail(_("unexpected end of file, a value was expected"));
    JsonValue value;
    value.line = line_;
    const char c = text_[pos_];
    if (c == '{') {
      parse_object(value, depth);
    } else if (c == '[') {
      parse_array(value, depth);
    } else if (c == '"') {
      value.kind = JsonValue::Kind::string;
      value.string = parse_string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      parse_number(value);
    } else if (literal("true")) {
      value.kind = JsonValue::Kind::boolean;
      value.boolean = true;
    } else if (literal("false")) {
      value.kind = JsonValue::Kind::boolean;
    } else if (literal("null")) {
      value.kind = JsonValue::Kind::null;
    } else {
      fail(tr("unexpected character '{0}', a value was expected", c >= 0x20 && c < 0x7f ? std::string(1, c) : "\\x??"));
    }
    return value;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  void parse_object(JsonValue& value, int depth) {
    value.kind = JsonValue::Kind::object;
    value.object = std::make_shared<JsonObject>();
    ++pos_;
    bool need_member = false;  // after a comma in strict mode
    while (true) {
      skip_space();
      if (pos_ >= text_.size()) fail(_("unexpected end of file inside an object"));
      if (text_[pos_] == '}') {
        if (need_member && !dialect_.trailing_commas) fail(_("trailing comma before '}'"));
        ++pos_;
        return;
      }
      if (!value.object->empty() && !need_member) fail(_("',' or '}' expected"));
      if (text_[pos_] != '"') fail(_("a quoted member name was expected"));
      std::string key = parse_string();
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') fail(tr("':' expected after member name \"{0}\"", key));
      ++pos_;
      JsonValue member = parse_value(depth + 1);
      value.object->emplace_back(std::move(key), std::move(member));
      skip_space();
      need_member = pos_ < text_.size() && text_[pos_] == ',';
      if (need_member) ++pos_;
    }
  }

  void parse_array(JsonValue& value, int depth) {
    value.kind = JsonValue::Kind::array;
    value.array = std::make_shared<JsonArray>();
    ++pos_;
    bool need_item = false;
    while (true) {
      skip_space();
      if (pos_ >= text_.size()) fail(_("unexpected end of file inside an array"));
      if (text_[pos_] == ']') {
        if (need_item && !dialect_.trailing_commas) fail(_("trailing comma before ']'"));
        ++pos_;
        return;
      }
      if (!value.array->empty() && !need_item) fail(_("',' or ']' expected"));
      value.array->push_back(parse_value(depth + 1));
      skip_space();
      need_item = pos_ < text_.size() && text_[pos_] == ',';
      if (need_item) ++pos_;
    }
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::uint32_t hex4() {
    if (pos_ + 4 > text_.size()) fail(_("truncated \\u escape"));
    std::uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= static_cast<std::uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') cp |= static_cast<std::uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') cp |= static_cast<std::uint32_t>(h - 'A' + 10);
      else fail(_("bad hex digit in \\u escape"));
    }
    return cp;
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail(_("unterminated string"));
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail(_("control character inside a string"));
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail(_("unterminated string"));
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            const std::uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail(_("unpaired surrogate in \\u escape"));
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            fail(_("unpaired surrogate in \\u escape"));
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(tr("invalid escape \\{0}", e >= 0x20 && e < 0x7f ? std::string(1, e) : "?"));
      }
    }
  }

  void parse_number(JsonValue& value) {
    const std::size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') fail(_("digit expected in number"));
    if (text_[pos_] == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9') {
      fail(_("leading zero in number"));
    }
    bool integral = true;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') fail(_("digit expected after '.'"));
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') fail(_("digit expected in exponent"));
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    }
    const std::string literal_text(text_.substr(start, pos_ - start));
    errno = 0;
    if (integral) {
      const long long n = std::strtoll(literal_text.c_str(), nullptr, 10);
      // Chromium keeps integers that fit an int as integers, larger ones become doubles.
      if (errno == 0 && n >= std::numeric_limits<int>::min() && n <= std::numeric_limits<int>::max()) {
        value.kind = JsonValue::Kind::integer;
        value.integer = n;
        return;
      }
    }
    value.kind = JsonValue::Kind::real;
    value.real = std::strtod(literal_text.c_str(), nullptr);
  }

  std::string_view text_;
  JsonDialect dialect_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  if (kind != Kind::object || !object) return nullptr;
  const JsonValue* found = nullptr;
  for (const auto& [name, value] : *object) {
    if (name == key) found = &value;
  }
  return found;
}

std::string JsonValue::brief() const {
  switch (kind) {
    case Kind::null: return "null";
    case Kind::boolean: return boolean ? "true" : "false";
    case Kind::integer: return std::to_string(integer);
    case Kind::real: return std::to_string(real);
    case Kind::string: return "\"" + (string.size() > 80 ? string.substr(0, 80) + "..." : string) + "\"";
    case Kind::array: {
      std::string out = "[";
      std::size_t shown = 0;
      for (const auto& item : *array) {
        if (shown == 4) {
          out += ", ... " + std::to_string(array->size()) + " items";
          break;
        }
        out += (shown++ ? ", " : "") + item.brief();
      }
      return out + "]";
    }
    case Kind::object: return "{" + std::to_string(object->size()) + " members}";
  }
  return "?";
}

JsonValue parse_json(std::string_view text, JsonDialect dialect) { return Parser(text, dialect).document(); }

}  // namespace clinic_audit::browser
