#include "fast_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

#include "utf8_sequence.hpp"

namespace clinic_audit::signing {
namespace {

using nlohmann::json;

constexpr int kMaxFastDepth = 60;

class FastReader {
 public:
  explicit FastReader(std::string_view text) : text_(text) {}

  bool document(json& out) {
    if (!value(out, 0)) return false;
    skip_space();
    return at_ == text_.size();
  }

 private:
  bool more() const { return at_ < text_.size(); }
  char peek() const { return text_[at_]; }

  // RFC 8259 §2: the four whitespace characters.
  void skip_space() {
    while (more()) {
      const char c = peek();
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++at_;
    }
  }

  bool value(json& out, int depth) {
    skip_space();
    if (!more()) return false;
    switch (peek()) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': {
        std::string text;
        if (!string(text)) return false;
        out = std::move(text);
        return true;
      }
      case 't': return literal("true", out, true);
      case 'f': return literal("false", out, false);
      case 'n': return literal("null", out, nullptr);
      default: return number(out);
    }
  }

  template <class Value>
  bool literal(std::string_view word, json& out, Value value) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    out = value;
    return true;
  }

  bool object(json& out, int depth) {
    if (depth > kMaxFastDepth) return false;
    ++at_;  // '{'
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    skip_space();
    if (more() && peek() == '}') {
      ++at_;
      return true;
    }
    while (true) {
      skip_space();
      if (!more() || peek() != '"') return false;
      std::string key;
      if (!string(key)) return false;
      skip_space();
      if (!more() || peek() != ':') return false;
      ++at_;
      const auto [member, inserted] = members.try_emplace(std::move(key));
      if (!inserted) return false;  // duplicate: nlohmann's rule (the last wins) is its own
      if (!value(member->second, depth)) return false;
      skip_space();
      if (!more()) return false;
      const char c = text_[at_++];
      if (c == '}') return true;
      if (c != ',') return false;
    }
  }

  bool array(json& out, int depth) {
    if (depth > kMaxFastDepth) return false;
    ++at_;  // '['
    out = json::array();
    auto& items = out.get_ref<json::array_t&>();
    skip_space();
    if (more() && peek() == ']') {
      ++at_;
      return true;
    }
    while (true) {
      items.emplace_back();
      if (!value(items.back(), depth)) return false;
      skip_space();
      if (!more()) return false;
      const char c = text_[at_++];
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // The 4 hex digits after "\u" at at_ (at_ is past them after).
  bool hex4(std::uint32_t& code) {
    if (text_.size() - at_ < 4) return false;
    code = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = hex_digit(text_[at_++]);
      if (digit < 0) return false;
      code = code * 16 + static_cast<std::uint32_t>(digit);
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  bool escape(std::string& out) {
    if (!more()) return false;
    const char c = text_[at_++];
    switch (c) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    std::uint32_t code = 0;
    if (!hex4(code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate alone
    if (code >= 0xD800 && code <= 0xDBFF) {
      // RFC 8259 §7: a high surrogate, then "\u" and a low one.
      if (text_.substr(at_, 2) != "\\u") return false;
      at_ += 2;
      std::uint32_t low = 0;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, code);
    return true;
  }

  // At the opening '"'; after the closing one on success.
  bool string(std::string& out) {
    ++at_;
    std::size_t run = at_;
    while ((at_ = skip_plain_json(text_, at_)) < text_.size()) {
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        out.append(text_.data() + run, at_ - run);
        ++at_;
        return true;
      }
      if (c == '\\') {
        out.append(text_.data() + run, at_ - run);
        ++at_;
        if (!escape(out)) return false;
        run = at_;
      } else if (c < 0x20) {
        return false;  // a control character must be escaped
      } else {
        const std::size_t length = utf8_sequence(text_, at_);
        if (length == 0) return false;
        at_ += length;
      }
    }
    return false;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // RFC 8259 §6: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(json& out) {
    const std::size_t start = at_;
    const bool negative = peek() == '-';
    if (negative) ++at_;
    if (!more() || !digit(peek())) return false;
    if (peek() == '0') {
      ++at_;
    } else {
      while (more() && digit(peek())) ++at_;
    }
    const std::size_t integer_end = at_;
    bool fraction_or_exponent = false;
    if (more() && peek() == '.') {
      ++at_;
      if (!more() || !digit(peek())) return false;
      while (more() && digit(peek())) ++at_;
      fraction_or_exponent = true;
    }
    if (more() && (peek() == 'e' || peek() == 'E')) {
      ++at_;
      if (more() && (peek() == '+' || peek() == '-')) ++at_;
      if (!more() || !digit(peek())) return false;
      while (more() && digit(peek())) ++at_;
      fraction_or_exponent = true;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + at_;
    if (!fraction_or_exponent) {
      // nlohmann: strtoll for a '-', else strtoull, a float when out of
      // range; 18 digits are in range of both.
      const std::size_t digits = integer_end - start - (negative ? 1 : 0);
      if (digits > 18) return false;
      std::uint64_t magnitude = 0;
      for (const char* p = first + (negative ? 1 : 0); p != last; ++p)
        magnitude = magnitude * 10 + static_cast<std::uint64_t>(*p - '0');
      if (negative) {
        out = static_cast<json::number_integer_t>(-static_cast<std::int64_t>(magnitude));
      } else {
        out = static_cast<json::number_unsigned_t>(magnitude);
      }
      return true;
    }
    // Correctly rounded, as glibc's strtod that nlohmann calls; zero and
    // normal values only (subnormals and overflow are nlohmann's to judge).
    double value = 0;
    const auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc() || end != last) return false;
    if (!(std::isnormal(value) || value == 0.0)) return false;
    out = value;
    return true;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<json> parse_json_fast(std::string_view bytes) {
  json document;
  FastReader reader(bytes);
  if (!reader.document(document)) return std::nullopt;
  return document;
}

}  // namespace clinic_audit::signing
