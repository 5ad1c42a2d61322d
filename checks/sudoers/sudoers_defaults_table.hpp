// Names and types of sudoers Defaults settings (sudoers(5) "SUDOERS OPTIONS").
#pragma once

#include <string_view>

namespace clinic_audit::sudoers {

enum class DefaultType { flag, string, integer, uint, mode, list, tuple, timeout, timespec, logfac, logpri, rlimit };

struct DefaultDefinition {
  std::string_view name;
  DefaultType type;
  bool boolean;  // T_BOOL: may also be used as a boolean ("!name")
  bool path;     // T_PATH/T_CHPATH: value must be a fully-qualified path
};

// nullptr for a setting sudo does not know.
const DefaultDefinition* find_default_definition(std::string_view name);

}  // namespace clinic_audit::sudoers
