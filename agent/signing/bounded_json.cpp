#include "bounded_json.hpp"

#include <cstddef>

#include "common/json_depth.hpp"
#include "fast_json.hpp"

namespace clinic_audit::signing {
namespace {

using nlohmann::json;
using DomBuilder = nlohmann::detail::json_sax_dom_parser<json>;

// json_sax_dom_callback_parser (nlohmann 3.11, detail/input/json_sax.hpp)
// calls the callback with the number of open containers: at a container's
// start before it is opened, at a key or a scalar value inside them, at a
// container's end after... the end's figure is never above its start's.
// json_depth_guard throws when that figure is over kMaxJsonDepth; so does
// this handler, at the same events.
class DepthBoundedBuilder {
 public:
  explicit DepthBoundedBuilder(json& result) : dom_(result, true) {}

  bool null() { return guard() && dom_.null(); }
  bool boolean(bool value) { return guard() && dom_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return guard() && dom_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return guard() && dom_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    return guard() && dom_.number_float(value, text);
  }
  bool string(json::string_t& value) { return guard() && dom_.string(value); }
  bool binary(json::binary_t& value) { return guard() && dom_.binary(value); }
  bool start_object(std::size_t elements) {
    guard();
    ++open_;
    return dom_.start_object(elements);
  }
  bool key(json::string_t& value) { return guard() && dom_.key(value); }
  bool end_object() {
    --open_;
    return dom_.end_object();
  }
  bool start_array(std::size_t elements) {
    guard();
    ++open_;
    return dom_.start_array(elements);
  }
  bool end_array() {
    --open_;
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& error) {
    return dom_.parse_error(position, token, error);  // throws `error`, as the callback parser does
  }

 private:
  bool guard() const {
    if (open_ > kMaxJsonDepth) throw JsonTooDeep();
    return true;
  }

  DomBuilder dom_;
  int open_ = 0;
};

}  // namespace

json parse_bounded_json(std::string_view bytes) {
  // The common case: a well-formed report, read without nlohmann's lexer.
  if (auto document = parse_json_fast(bytes)) return std::move(*document);
  json result;
  DepthBoundedBuilder builder(result);
  // strict: trailing bytes after the value are an error, as json::parse.
  json::sax_parse(bytes, &builder, json::input_format_t::json, true, false);
  return result;
}

}  // namespace clinic_audit::signing
