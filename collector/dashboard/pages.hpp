// One function per page (issue #13 item 2), each taking the request's
// context and returning the whole response (HTML, or the export when
// ?format=csv|json is asked).
#pragma once

#include "page_context.hpp"

namespace clinic_audit::dashboard {

WebResponse fleet_page(PageContext& ctx);
WebResponse hosts_page(PageContext& ctx);
WebResponse host_page(PageContext& ctx);
WebResponse report_download(PageContext& ctx);
WebResponse check_page(PageContext& ctx);
WebResponse anomalies_page(PageContext& ctx);
WebResponse at_date_page(PageContext& ctx);
WebResponse tokens_page(PageContext& ctx);
WebResponse revoke_token(PageContext& ctx);

// Hosts of a snapshot matching the list filters of ?policy= &check= &site=
// &stale= &anomaly= &q= (shared by the Hosts page, its export and the API).
std::vector<const HostState*> filter_hosts(const PageContext& ctx, const Snapshot& snapshot);

}  // namespace clinic_audit::dashboard
