// libFuzzer target: any bytes read as a stored JSON report give a Report or
// a ReportReadError; a Report read back renders to JSON that reads back to
// the same results.
#include <cstdlib>
#include <string_view>

#include "read_json.hpp"
#include "render_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  clinic_audit::Report report;
  try {
    report = clinic_audit::read_json_report(text, "fuzz.json");
  } catch (const clinic_audit::ReportReadError&) {
    return 0;
  }
  const std::string again = clinic_audit::render_json(report);
  const clinic_audit::Report round = clinic_audit::read_json_report(again, "round.json");
  if (round.results.size() != report.results.size()) std::abort();
  return 0;
}
