// libFuzzer target: the collector's multipart/form-data parser (POST
// /api/v1/reports bodies are attacker-controlled). Input: first line the
// Content-Type, the rest the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::collector;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view content_type = input.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  try {
    const std::string boundary = form_boundary(content_type);
    for (const FormPart& part : parse_multipart(body, boundary)) {
      // Every view must lie inside the body.
      if (part.body.data() < body.data() || part.body.data() + part.body.size() > body.data() + body.size())
        __builtin_trap();
    }
  } catch (const MultipartError&) {
  }
  return 0;
}
