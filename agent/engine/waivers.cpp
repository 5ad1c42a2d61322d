#include "waivers.hpp"
#include "i18n.hpp"

namespace clinic_audit {

void apply_waivers(std::vector<ResultRecord>& results, const std::vector<Waiver>& waivers, const std::string& today) {
  for (auto& result : results) {
    for (const auto& waiver : waivers) {
      if (waiver.check_id != result.check_id) continue;
      // Only a fail can be waived: a waiver must never hide that a check
      // could not be evaluated (error) or turn a pass into something else.
      if (result.status != Status::fail) continue;
      // ISO dates compare correctly as strings.
      if (today <= waiver.expires) {
        result.status = Status::waived;
        result.waiver_reason = waiver.reason + " (waiver until " + waiver.expires + ")";
        result.summary = "waived: " + result.summary;
      } else {
        result.waiver_reason = tr("waiver expired on {0}: {1}", waiver.expires, waiver.reason);
        result.summary += " (waiver expired on " + waiver.expires + ")";
      }
    }
  }
}

}  // namespace clinic_audit
