// The dashboard's tables in the collector database, versioned on their own
// (`dashboard_schema`), so the collector's ingest schema and migrations stay
// its own. `migrate_dashboard` creates or upgrades them and refuses a newer
// version; `init` and `serve` call it.
#pragma once

#include "sql.hpp"

namespace clinic_audit::dashboard {

inline constexpr int kDashboardSchemaVersion = 1;

void migrate_dashboard(SqlConnection& db);

}  // namespace clinic_audit::dashboard
