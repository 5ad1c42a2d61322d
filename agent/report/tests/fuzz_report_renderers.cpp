// libFuzzer target: any Report content (strings are raw fuzz bytes) renders
// in every format without throwing, and JSON/XML/JUnit stay well-formed.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "formats.hpp"
#include "render_nagios.hpp"

namespace {

using clinic_audit::Report;

Report report_from(FuzzedDataProvider& data) {
  auto text = [&] { return data.ConsumeRandomLengthString(64); };
  Report report;
  report.report_id = text();
  report.agent_version = text();
  report.host = {text(), text(), text()};
  report.run = {text(),
                text(),
                text(),
                text(),
                data.ConsumeIntegral<std::uint64_t>(),
                std::nullopt,
                data.ConsumeFloatingPoint<double>()};
  if (data.ConsumeBool()) report.run.previous_sha256 = text();
  for (int i = data.ConsumeIntegralInRange(0, 3); i > 0; --i)
    report.policies.push_back({text(), text(), text(), text()});
  for (int i = data.ConsumeIntegralInRange(0, 6); i > 0; --i) {
    clinic_audit::ResultRecord r;
    r.check_id = text();
    r.policy_id = text();
    r.type = text();
    r.title = text();
    r.severity = static_cast<clinic_audit::Severity>(data.ConsumeIntegralInRange(0, 4));
    r.status = static_cast<clinic_audit::Status>(data.ConsumeIntegralInRange(0, 5));
    r.summary = text();
    r.remediation = text();
    r.duration_ms = data.ConsumeIntegral<std::int64_t>();
    if (data.ConsumeBool()) r.waiver_reason = text();
    for (int k = data.ConsumeIntegralInRange(0, 3); k > 0; --k) {
      std::optional<int> line;
      if (data.ConsumeBool()) line = data.ConsumeIntegral<int>();
      r.evidence.push_back({text(), line, text(), text()});
    }
    report.results.push_back(std::move(r));
  }
  return report;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  FuzzedDataProvider data(bytes, size);
  const Report report = report_from(data);
  for (const auto& format : clinic_audit::report_formats()) {
    const std::string out = format.render(report, {.color = data.ConsumeBool()});
    if (format.name == "json" && !nlohmann::json::accept(out)) std::abort();
    if (format.name == "xml" || format.name == "junit") {
      pugi::xml_document doc;
      if (!doc.load_buffer(out.data(), out.size())) std::abort();
    }
  }
  const int code = clinic_audit::nagios_exit_code(report);
  if (code < 0 || code > 3) std::abort();
  return 0;
}
