#include "compact_json.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>

namespace clinic_audit::signing {
namespace {

using nlohmann::json;

// Length of the well-formed UTF-8 sequence at text[at] (RFC 3629 §4: no
// overlong form, no surrogate, nothing past U+10FFFF), 0 if it is not one.
std::size_t utf8_sequence(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  const std::size_t left = text.size() - at;
  const auto continuation = [&](std::size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return byte(at + i) >= low && byte(at + i) <= high;
  };
  if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3) return 0;
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4) return 0;
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// A string as serializer::dump_escaped writes it with ensure_ascii false
// (nlohmann 3.11, detail/output/serializer.hpp): the short escapes, \u00xx
// (lower-case) for the other control characters, every other character as
// its UTF-8 bytes ('/' and DEL included).
void append_string(std::string& out, const std::string& text) {
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t at = 0;
  while (at < text.size()) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++at;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence(text, at);
      if (length == 0) {
        out += json(text).dump();  // invalid UTF-8: dump() throws type_error 316, as it would here
        return;
      }
      at += length;
      continue;
    }
    out.append(text, run, at - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      }
    }
    run = ++at;
  }
  out.append(text, run, std::string::npos);
  out += '"';
}

template <class Integer>
void append_integer(std::string& out, Integer value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        append(out, member);
      }
      out += '}';
      return;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const json& item : value.get_ref<const json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      return;
    }
    case json::value_t::string: append_string(out, value.get_ref<const std::string&>()); return;
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case json::value_t::null: out += "null"; return;
    case json::value_t::number_integer: append_integer(out, value.get<json::number_integer_t>()); return;
    case json::value_t::number_unsigned: append_integer(out, value.get<json::number_unsigned_t>()); return;
    default: out += value.dump(); return;  // floats (nlohmann's own grisu2 text), binary, discarded
  }
}

}  // namespace

std::string compact_json(const json& value) {
  std::string out;
  append(out, value);
  return out;
}

}  // namespace clinic_audit::signing
