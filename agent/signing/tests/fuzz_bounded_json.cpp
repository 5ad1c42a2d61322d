// parse_bounded_json against nlohmann::json::parse with json_depth_guard():
// any bytes give the same document or the same exception (type and message);
// and compact_json() of a parsed document is its dump().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <typeinfo>

#include "bounded_json.hpp"
#include "compact_json.hpp"
#include "common/json_depth.hpp"

namespace {

// The document with the type of every value (dump() does not tell an
// unsigned 5 from a signed 5).
void describe(const nlohmann::json& value, std::string& out) {
  out += std::to_string(static_cast<int>(value.type()));
  if (value.is_object()) {
    out += '{';
    for (const auto& [key, member] : value.items()) {
      out += nlohmann::json(key).dump() + ':';
      describe(member, out);
      out += ',';
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (const nlohmann::json& item : value) {
      describe(item, out);
      out += ',';
    }
    out += ']';
  } else {
    out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

template <class Parse>
std::string outcome(Parse parse, std::string_view bytes) {
  try {
    std::string text = "ok ";
    describe(parse(bytes), text);
    return text;
  } catch (const std::exception& error) {
    return std::string(typeid(error).name()) + ": " + error.what();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string guarded =
      outcome([](std::string_view b) { return nlohmann::json::parse(b, clinic_audit::json_depth_guard()); }, bytes);
  const std::string bounded =
      outcome([](std::string_view b) { return clinic_audit::signing::parse_bounded_json(b); }, bytes);
  if (guarded != bounded) std::abort();
  // And compact_json against dump() on what parsed.
  if (bounded.starts_with("ok ")) {
    const nlohmann::json document = clinic_audit::signing::parse_bounded_json(bytes);
    if (clinic_audit::signing::compact_json(document) != document.dump()) std::abort();
  }
  return 0;
}
