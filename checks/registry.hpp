// The one list of check types (STYLE.md §2: explicit registration, no static
// self-registering objects that a static library could silently drop).
#pragma once

#include <string_view>
#include <vector>

#include "common/check.hpp"

namespace clinic_audit {

const std::vector<CheckType>& check_types();
const CheckType* find_check_type(std::string_view name);

}  // namespace clinic_audit
