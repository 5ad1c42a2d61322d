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

// A Monitoring Plugin that cannot do its job says UNKNOWN (exit 3) on
// stdout, where Nagios/Centreon/Icinga read it; the reason is on stderr.
NotRunOutput nagios_not_run(std::string_view why, std::string_view step, int usual_exit_code) {
  return {"CLINIC-AUDIT UNKNOWN - audit not run: " + std::string(why) + " (" + std::string(step) + ", exit " +
              std::to_string(usual_exit_code) + ")\n",
          static_cast<int>(NagiosState::unknown)};
}

// A constant table, not self-registration: nothing to drop from a static
// library, no initialisation order.
constexpr std::array<ReportFormat, 6> kFormats{{
    {"text", "txt", &text, nullptr, nullptr},
    {"json", "json", &json, nullptr, nullptr},
    {"xml", "xml", &xml, nullptr, nullptr},
    {"junit", "junit.xml", &junit, nullptr, nullptr},
    {"nagios", "nagios.txt", &nagios, &nagios_exit_code, &nagios_not_run},
    {"prometheus", "prom", &prometheus, nullptr, nullptr},
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
