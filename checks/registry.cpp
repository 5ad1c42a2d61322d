#include "registry.hpp"

// Every check type, one line each: X(name) declares name_check_type() (each
// check type's folder defines it, declared in its name/name_check.hpp) and
// registers it, in this order. cmake/CheckType.cmake refuses to configure a
// check type's folder whose name is missing here.
#define CA_CHECK_TYPES(X) \
  X(file)                 \
  X(exec)                 \
  X(systemd_unit)         \
  X(php_ini)              \
  X(service)              \
  X(antispam)             \
  X(sudoers)              \
  X(reachability)         \
  X(openssl)              \
  X(browser)              \
  /* end of the list */

namespace clinic_audit {

#define X(name) CheckType name##_check_type();
CA_CHECK_TYPES(X)
#undef X

const std::vector<CheckType>& check_types() {
#define X(name) name##_check_type(),
  static const std::vector<CheckType> types = {CA_CHECK_TYPES(X)};
#undef X
  return types;
}

const CheckType* find_check_type(std::string_view name) {
  for (const auto& type : check_types()) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

}  // namespace clinic_audit
