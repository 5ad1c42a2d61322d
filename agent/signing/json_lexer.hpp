// The strict RFC 8259 lexing shared by the two fast JSON readers
// (fast_json.cpp builds nlohmann's document, report_reader_fast.cpp reads a
// report straight into its content): white space, strings (escapes,
// surrogate pairs, well-formed UTF-8, no raw control character) and the
// shape of numbers. Every function answers false on anything it is not
// sure of; the callers then leave the input to nlohmann, which words the
// error. One lexer, so that both readers take exactly the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "json_string.hpp"

namespace clinic_audit::signing {

// A number's text as RFC 8259 §6 writes it:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
struct JsonNumberText {
  std::size_t start = 0, end = 0;  // [start, end) in the text
  std::size_t integer_digits = 0;  // digits before any '.' or exponent
  bool negative = false;
  bool fraction_or_exponent = false;
};

class JsonLexer {
 public:
  explicit JsonLexer(std::string_view text) : text_(text) {}

 protected:
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

  // `word` (true, false, null) at at_, consumed.
  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // At the opening '"'; after the closing one on success. Appends the
  // decoded string to `out`.
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

  // At the first character of a number; after it on success.
  bool number_text(JsonNumberText& number) {
    number = JsonNumberText{};
    number.start = at_;
    number.negative = peek() == '-';
    if (number.negative) ++at_;
    if (!more() || !digit(peek())) return false;
    const std::size_t first_digit = at_;
    if (peek() == '0') {
      ++at_;
    } else {
      while (more() && digit(peek())) ++at_;
    }
    number.integer_digits = at_ - first_digit;
    if (more() && peek() == '.') {
      ++at_;
      if (!more() || !digit(peek())) return false;
      while (more() && digit(peek())) ++at_;
      number.fraction_or_exponent = true;
    }
    if (more() && (peek() == 'e' || peek() == 'E')) {
      ++at_;
      if (more() && (peek() == '+' || peek() == '-')) ++at_;
      if (!more() || !digit(peek())) return false;
      while (more() && digit(peek())) ++at_;
      number.fraction_or_exponent = true;
    }
    number.end = at_;
    return true;
  }

  // The magnitude of an integer of at most 18 digits (nlohmann reads those
  // as integers whatever their sign: in range of both strtoll and strtoull).
  bool small_integer(const JsonNumberText& number, std::uint64_t& magnitude) const {
    if (number.fraction_or_exponent || number.integer_digits > 18) return false;
    magnitude = 0;
    for (std::size_t i = number.start + (number.negative ? 1 : 0); i < number.end; ++i)
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(text_[i] - '0');
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  std::string_view text_;
  std::size_t at_ = 0;

 private:
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
      const int value = hex_digit(text_[at_++]);
      if (value < 0) return false;
      code = code * 16 + static_cast<std::uint32_t>(value);
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
};

}  // namespace clinic_audit::signing
