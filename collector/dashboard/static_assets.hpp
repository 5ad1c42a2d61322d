// The dashboard's own stylesheet and script (served from memory) and Debian's
// Chart.js (libjs-chart.js, read once from /usr/share/javascript): no CDN,
// no request leaves the collector.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::dashboard {

struct StaticAsset {
  std::string_view content_type;
  std::string body;
};

class StaticAssets {
 public:
  explicit StaticAssets(const std::string& chart_js_path);
  std::optional<StaticAsset> find(std::string_view path) const;

 private:
  std::string chart_js_;
};

}  // namespace clinic_audit::dashboard
