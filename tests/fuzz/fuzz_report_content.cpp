// libFuzzer target: reading a report's content (JSON and XML), which the
// collector does on bytes a client sent (after their signature verified,
// but a client signs what it likes).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "report_content.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::signing;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const auto format : {ReportFormat::json, ReportFormat::xml}) {
    try {
      parse_report_content(bytes, format);
    } catch (const std::runtime_error&) {
    }
  }
  parse_rfc3339(bytes.substr(0, 40));
  return 0;
}
