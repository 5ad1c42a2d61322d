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

template <class Parse>
std::string outcome(Parse parse, std::string_view bytes) {
  try {
    return "ok " + parse(bytes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
