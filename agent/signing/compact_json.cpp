#include "compact_json.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>

#include "utf8_sequence.hpp"

namespace clinic_audit::signing {
namespace {

using nlohmann::json;

template <class Integer>
void append_integer(std::string& out, Integer value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append(std::string& out, const json& value);

}  // namespace

// A string as serializer::dump_escaped writes it with ensure_ascii false
// (nlohmann 3.11, detail/output/serializer.hpp): the short escapes, \u00xx
// (lower-case) for the other control characters, every other character as
// its UTF-8 bytes ('/' and DEL included).
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t at = 0;
  while ((at = skip_plain_json(text, at)) < text.size()) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence(text, at);
      if (length == 0) {
        out += json(std::string(text)).dump();  // invalid UTF-8: dump() throws type_error 316, as it would here
        return;
      }
      at += length;
      continue;
    }
    out.append(text.substr(run, at - run));
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
  out.append(text.substr(run));
  out += '"';
}

namespace {

void append(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
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
    case json::value_t::string: append_json_string(out, value.get_ref<const std::string&>()); return;
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
