// The PostgreSQL schema as migrations (twin of sqlite_schema.hpp).
#pragma once

#include <vector>

namespace clinic_audit::collector::pg {

const std::vector<const char*>& migrations();

}  // namespace clinic_audit::collector::pg
