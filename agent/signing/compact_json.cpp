#include "compact_json.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>

#include "json_string.hpp"

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
// (checks/common/json_string.hpp).
void append_json_string(std::string& out, std::string_view text) {
  if (append_json_string_if_utf8(out, text)) return;
  out += json(std::string(text)).dump();  // invalid UTF-8: dump() throws type_error 316, as it would here
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
