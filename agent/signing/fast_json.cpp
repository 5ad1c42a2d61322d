#include "fast_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

#include "json_lexer.hpp"

namespace clinic_audit::signing {
namespace {

using nlohmann::json;

constexpr int kMaxFastDepth = 60;

class FastReader : JsonLexer {
 public:
  explicit FastReader(std::string_view text) : JsonLexer(text) {}

  bool document(json& out) {
    if (!value(out, 0)) return false;
    skip_space();
    return at_ == text_.size();
  }

 private:
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
    if (!JsonLexer::literal(word)) return false;
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

  bool number(json& out) {
    JsonNumberText text;
    if (!number_text(text)) return false;
    if (!text.fraction_or_exponent) {
      // nlohmann: strtoll for a '-', else strtoull, a float when out of
      // range; 18 digits are in range of both.
      std::uint64_t magnitude = 0;
      if (!small_integer(text, magnitude)) return false;
      if (text.negative) {
        out = static_cast<json::number_integer_t>(-static_cast<std::int64_t>(magnitude));
      } else {
        out = static_cast<json::number_unsigned_t>(magnitude);
      }
      return true;
    }
    // Correctly rounded, as glibc's strtod that nlohmann calls; zero and
    // normal values only (subnormals and overflow are nlohmann's to judge).
    double value = 0;
    const char* first = text_.data() + text.start;
    const char* last = text_.data() + text.end;
    const auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc() || end != last) return false;
    if (!(std::isnormal(value) || value == 0.0)) return false;
    out = value;
    return true;
  }
};

}  // namespace

std::optional<json> parse_json_fast(std::string_view bytes) {
  json document;
  FastReader reader(bytes);
  if (!reader.document(document)) return std::nullopt;
  return document;
}

}  // namespace clinic_audit::signing
