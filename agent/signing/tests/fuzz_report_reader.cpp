// read_json_report_fast against the document path it stands in for: on any
// bytes, when the fast reader answers, parse_bounded_json must read the
// bytes, report_certainly_valid must accept the document (itself checked
// against valijson by ReportSchemaFast.*) and report_content_of must give
// the same content, evidence JSON byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "bounded_json.hpp"
#include "report_content.hpp"
#include "report_reader_fast.hpp"
#include "report_schema_fast.hpp"

namespace {

bool same(const clinic_audit::signing::ReportContent& a, const clinic_audit::signing::ReportContent& b) {
  if (a.format != b.format || a.report_id != b.report_id || a.hostname != b.hostname || a.machine_id != b.machine_id ||
      a.started_at != b.started_at || a.sequence != b.sequence || a.previous_sha256 != b.previous_sha256 ||
      a.counts != b.counts || a.compliant != b.compliant || a.results.size() != b.results.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.results.size(); ++i) {
    const auto& x = a.results[i];
    const auto& y = b.results[i];
    if (x.check_id != y.check_id || x.policy_id != y.policy_id || x.type != y.type || x.title != y.title ||
        x.severity != y.severity || x.status != y.status || x.summary != y.summary || x.remediation != y.remediation ||
        x.evidence_json != y.evidence_json) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::signing;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto fast = read_json_report_fast(bytes);
  if (!fast) return 0;
  try {
    const nlohmann::json document = parse_bounded_json(bytes);
    if (!report_certainly_valid(document)) std::abort();
    if (!same(*fast, report_content_of(document))) std::abort();
  } catch (const std::exception&) {
    std::abort();  // the fast reader read what the document path cannot
  }
  return 0;
}
