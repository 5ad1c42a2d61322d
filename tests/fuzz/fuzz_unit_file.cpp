// libFuzzer target for the systemd unit file parser (checks/systemd_unit):
// any bytes must parse without crash, hang or unbounded growth, and every
// assignment must point at a line that exists.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/systemd/fatal_settings.hpp"
#include "common/systemd/unit_file_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto unit = clinic_audit::systemd::parse_unit_file(text);
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  for (const auto& a : unit.assignments) {
    if (a.line < 1 || static_cast<std::size_t>(a.line) > lines) std::abort();
    (void)clinic_audit::systemd::parse_systemd_boolean(a.value);
    (void)clinic_audit::systemd::fatal_setting_error(a.section, a.key, a.value);
    if (unit.fatal && a.line >= unit.fatal->line) std::abort();  // nothing is read after a fatal line
  }
  return 0;
}
