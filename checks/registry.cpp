#include "registry.hpp"

#include "antispam/antispam_check.hpp"
#include "exec/exec_check.hpp"
#include "file/file_check.hpp"
#include "php_ini/php_ini_check.hpp"
#include "service/service_check.hpp"
#include "sudoers/sudoers_check.hpp"
#include "systemd_unit/systemd_unit_check.hpp"
#include "openssl/openssl_check.hpp"
#include "reachability/reachability_check.hpp"
#include "browser/browser_check.hpp"

namespace clinic_audit {

const std::vector<CheckType>& check_types() {
  static const std::vector<CheckType> types = {
      file_check_type(),
      exec_check_type(),
      systemd_unit_check_type(),
      php_ini_check_type(),
      service_check_type(),
      antispam_check_type(),
      sudoers_check_type(),
      reachability_check_type(),
      openssl_check_type(),
      browser_check_type(),
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
