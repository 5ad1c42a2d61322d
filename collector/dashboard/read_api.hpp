// The read API for scripts and the dashboard (DESIGN §7): GET under
// /api/v1/, JSON, with a dashboard session or an API token
// (`clinic-audit-collector user token NAME`, `Authorization: Bearer`).
//   /api/v1/hosts?<Hosts filters>&at=YYYY-MM-DD   hosts and their state
//   /api/v1/hosts/MACHINE_ID                      one host with its latest results
//   /api/v1/reports?host=MACHINE_ID&page=N        a host's report history
//   /api/v1/results?report=ID                     results of one stored report
//   /api/v1/anomalies?kind=&host=                 chain anomalies, newest first
//   /api/v1/export?at=YYYY-MM-DD&<filters>        result rows with context
#pragma once

#include "page_context.hpp"

namespace clinic_audit::dashboard {

WebResponse read_api(PageContext& ctx);

}  // namespace clinic_audit::dashboard
