#include "formats.hpp"

#include <array>

#include "render_json.hpp"
#include "render_junit.hpp"
#include "render_nagios.hpp"
#include "render_prometheus.hpp"
#include "render_text.hpp"
#include "render_xml.hpp"

namespace clinic_audit {
namespace {

std::string text(const Report& report, const RenderOptions& options) { return render_text(report, options.color); }
std::string json(const Report& report, const RenderOptions&) { return render_json(report); }
std::string xml(const Report& report, const RenderOptions&) { return render_xml(report); }
std::string junit(const Report& report, const RenderOptions&) { return render_junit(report); }
std::string nagios(const Report& report, const RenderOptions&) { return render_nagios(report); }
std::string prometheus(const Report& report, const RenderOptions&) { return render_prometheus(report); }

// A constant table, not self-registration: nothing to drop from a static
// library, no initialisation order.
constexpr std::array<ReportFormat, 6> kFormats{{
    {"text", "txt", &text},
    {"json", "json", &json},
    {"xml", "xml", &xml},
    {"junit", "junit.xml", &junit},
    {"nagios", "nagios.txt", &nagios},
    {"prometheus", "prom", &prometheus},
}};

}  // namespace

std::span<const ReportFormat> report_formats() { return kFormats; }

const ReportFormat* find_report_format(std::string_view name) {
  for (const auto& format : kFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

}  // namespace clinic_audit
