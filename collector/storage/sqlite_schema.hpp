// The SQLite schema, as a list of migrations: migration N (1-based) takes
// the database from version N-1 to N. `init` runs the missing ones; a
// database newer than the program is refused (issue #11 item 6).
#pragma once

#include <vector>

namespace clinic_audit::collector::sqlite {

const std::vector<const char*>& migrations();

}  // namespace clinic_audit::collector::sqlite
