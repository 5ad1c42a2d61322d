#include "registry.hpp"

#include "exec/exec_check.hpp"
#include "file/file_check.hpp"

namespace clinic_audit {

const std::vector<CheckType>& check_types() {
  static const std::vector<CheckType> types = {
      file_check_type(),
      exec_check_type(),
  };
  return types;
}

const CheckType* find_check_type(std::string_view name) {
  for (const auto& type : check_types()) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

}  // namespace clinic_audit
