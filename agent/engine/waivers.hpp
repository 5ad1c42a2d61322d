// Waivers from the site configuration (DESIGN.md §3): a waived `fail` reports
// `waived` with the reason until the expiry date; after it, `fail` again and
// the summary says the waiver expired.
#pragma once

#include <string>
#include <vector>

#include "config/site_config.hpp"
#include "report/report.hpp"

namespace clinic_audit {

// `today` is the UTC date as YYYY-MM-DD; a waiver applies through its expiry day.
void apply_waivers(std::vector<ResultRecord>& results, const std::vector<Waiver>& waivers, const std::string& today);

}  // namespace clinic_audit
